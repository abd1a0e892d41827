package io.mergelab.pipeline;

import io.mergelab.data.DatasetStats;
import io.mergelab.data.LengthStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Dataset statistics as plain JSON for the report (sizes, class counts, word and token lengths). */
final class StatsJson {
    private StatsJson() {
    }

    static Map<String, Object> of(DatasetStats s) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", s.name());
        root.put("labels", s.labels());
        List<Map<String, Object>> splits = new ArrayList<>();
        for (DatasetStats.SplitStats sp : s.splits()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("split", sp.split());
            m.put("size", sp.size());
            m.put("class_counts", sp.classCounts());
            m.put("empty_texts", sp.emptyTexts());
            m.put("words", lengths(sp.words()));
            if (sp.tokens() != null) {
                m.put("tokens", lengths(sp.tokens()));
            }
            splits.add(m);
        }
        root.put("splits", splits);
        return root;
    }

    private static Map<String, Object> lengths(LengthStats l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", l.mean());
        m.put("median", l.median());
        m.put("std", l.std());
        m.put("min", l.min());
        m.put("max", l.max());
        return m;
    }
}
