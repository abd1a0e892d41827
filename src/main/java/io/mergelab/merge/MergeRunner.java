package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2TensorNames;
import io.mergelab.model.checkpoint.SafetensorsWriter;
import io.mergelab.model.checkpoint.TensorSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs a {@link MergePlan} tensor by tensor: at most {@code threads + 1} tensors are read or being
 * merged at any time, results are written in plan order through the streaming checkpoint writer, and
 * the whole output directory is staged beside OUT and renamed onto it only when complete.
 */
public final class MergeRunner {

    /** Progress callbacks (the CLI draws a bar); called from the writing thread. */
    public interface Listener {
        default void started(int tensors) {
        }

        default void tensorWritten(String name) {
        }
    }

    /**
     * @param maxShardBytes  shard size for safetensors (transformers' default 5 GB)
     * @param maxShardParams shard size in parameters (mergekit's {@code --out-shard-size} unit), over the bytes when
     *                       positive: the output dtype's element size times this many
     * @param copyTokenizer  copy the first model's tokenizer files into the output (mergekit's default)
     * @param writeModelCard write README.md, the model card (mergekit's default)
     */
    public record Options(int threads, boolean overwrite, long maxShardBytes, Listener listener,
            ElementwiseKernels kernels, long maxShardParams, boolean copyTokenizer, boolean writeModelCard) {
        public Options {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
        }

        public static Options defaults() {
            return new Options(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), false,
                    CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, new Listener() { }, ElementwiseKernels.defaults(), 0,
                    true, true);
        }

        public Options withThreads(int n) {
            return new Options(n, overwrite, maxShardBytes, listener, kernels, maxShardParams, copyTokenizer,
                    writeModelCard);
        }

        public Options withOverwrite(boolean o) {
            return new Options(threads, o, maxShardBytes, listener, kernels, maxShardParams, copyTokenizer,
                    writeModelCard);
        }

        public Options withListener(Listener l) {
            return new Options(threads, overwrite, maxShardBytes, l, kernels, maxShardParams, copyTokenizer,
                    writeModelCard);
        }

        public Options withMaxShardBytes(long b) {
            return new Options(threads, overwrite, b, listener, kernels, 0, copyTokenizer, writeModelCard);
        }

        public Options withMaxShardParams(long p) {
            return new Options(threads, overwrite, maxShardBytes, listener, kernels, p, copyTokenizer, writeModelCard);
        }

        public Options withKernels(ElementwiseKernels k) {
            return new Options(threads, overwrite, maxShardBytes, listener, k, maxShardParams, copyTokenizer,
                    writeModelCard);
        }

        public Options withCopyTokenizer(boolean c) {
            return new Options(threads, overwrite, maxShardBytes, listener, kernels, maxShardParams, c, writeModelCard);
        }

        public Options withWriteModelCard(boolean w) {
            return new Options(threads, overwrite, maxShardBytes, listener, kernels, maxShardParams, copyTokenizer, w);
        }
    }

    public Path run(MergePlan plan, Path outDir, Options opt) throws IOException {
        Path out = outDir.toAbsolutePath().normalize();
        checkTarget(out, opt.overwrite());
        Files.createDirectories(out.getParent());
        removeStaleStaging(out);
        Path staging = out.resolveSibling(stagingPrefix(out, OWNER) + suffix());
        ExecutorService pool = Executors.newFixedThreadPool(opt.threads(), daemon("mergelab-merge"));
        ExecutorService hasher = Executors.newSingleThreadExecutor(daemon("mergelab-sha256"));
        try {
            Future<Map<String, Map<String, String>>> inputHashes = hasher.submit(() -> MergeOutputs.hashInputs(plan));
            List<TensorSpec> specs = new ArrayList<>();
            for (PlannedTensor t : plan.tensors()) {
                specs.add(new TensorSpec(t.name(), t.shape(), plan.outDtype()));
            }
            opt.listener().started(specs.size());
            Map<String, String> weightHashes;
            long shardBytes = opt.maxShardParams() > 0 ? opt.maxShardParams() * plan.outDtype().byteSize()
                    : opt.maxShardBytes();
            try (CheckpointWriter.Session session = CheckpointWriter.begin(staging, plan.outputConfig(), specs,
                    shardBytes, opt.copyTokenizer() ? plan.tokenizerDir() : null, false)) {
                writeTensors(plan, session, pool, opt);
                session.commit();
                weightHashes = session.weightSha256();
            }
            writeHeads(plan, staging);
            MergeOutputs.writeSidecars(plan, staging, get(inputHashes), weightHashes, opt.writeModelCard());
            publish(staging, out, opt.overwrite());
            return out;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(staging, e);
            throw e;
        } finally {
            pool.shutdownNow();
            hasher.shutdownNow();
        }
    }

    private void writeTensors(MergePlan plan, CheckpointWriter.Session session, ExecutorService pool, Options opt)
            throws IOException {
        List<PlannedTensor> tensors = plan.tensors();
        InputTensors source = recycling(new FloatArrayRecycler(plan));
        int n = tensors.size();
        int window = opt.threads() + 1; // bounds memory: only this many tensors are alive at once
        List<Future<float[]>> futures = new ArrayList<>(n);
        int submitted = 0;
        for (int i = 0; i < n; i++) {
            while (submitted < n && submitted < i + window) {
                PlannedTensor t = tensors.get(submitted++);
                futures.add(pool.submit(() -> mergeTensor(plan, t, source, opt.kernels())));
            }
            float[] data = get(futures.get(i));
            futures.set(i, null);
            PlannedTensor t = tensors.get(i);
            session.put(new FloatTensor(t.name(), t.shape(), data));
            source.release(data); // written: the array can hold a later tensor's input
            opt.listener().tensorWritten(t.name());
        }
    }

    private static InputTensors recycling(FloatArrayRecycler recycler) {
        return new InputTensors() {
            @Override
            public float[] read(PlannedTensor.Input in) {
                return TensorReader.read(in.model(), in.info(), recycler);
            }

            @Override
            public boolean disposable() {
                return true;
            }

            @Override
            public void release(float[] array) {
                recycler.release(array);
            }
        };
    }

    /**
     * Merges a whole plan into memory, no checkpoint written: tensors by output name in plan order. Used by
     * the merge-parameter search, which scores many candidates over inputs it keeps cached.
     */
    public static Map<String, FloatTensor> mergeInMemory(MergePlan plan, InputTensors source) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (PlannedTensor t : plan.tensors()) {
            out.put(t.name(), new FloatTensor(t.name(), t.shape(),
                    mergeTensor(plan, t, source, ElementwiseKernels.defaults())));
        }
        return out;
    }

    /**
     * Reads the inputs of one tensor (widened to F32, then cast to the tensor's {@link MergePlan#precision} when that
     * is bfloat16 / float16, as mergekit casts on load), merges them with the plan's method and checks the
     * result is finite. Input arrays other than the result are handed back to the source.
     */
    public static float[] mergeTensor(MergePlan plan, PlannedTensor t, InputTensors source,
            ElementwiseKernels kernels) {
        Precision p = t.copy() ? Precision.FLOAT32 : plan.precision(t);
        List<ModelTensor> inputs = new ArrayList<>();
        boolean halfInputs = false;
        for (PlannedTensor.Input in : t.inputs()) {
            halfInputs |= in.info().dtype() == DType.BF16 || in.info().dtype() == DType.F16;
            float[] data = source.read(in);
            if (p.reduced() && in.info().dtype() != p.dtype()) {
                // mergekit casts each input to the compute dtype when it loads it
                data = source.disposable() ? data : data.clone();
                p.round(data);
            }
            inputs.add(new ModelTensor(in.model().ref(), data, in.params()));
        }
        float[] result;
        if (t.copy()) {
            float[] only = inputs.get(0).data();
            result = source.disposable() ? only : only.clone();
        } else {
            ModelTensor base = t.baseIndex() >= 0 ? inputs.get(t.baseIndex()) : null;
            List<ModelTensor> others = new ArrayList<>(inputs);
            if (base != null) {
                others.remove(t.baseIndex());
            }
            TensorMerge tm = new TensorMerge(t.name(), t.shape(), List.copyOf(inputs), base, List.copyOf(others),
                    t.global(), t.seed(), source.disposable(), kernels, p, halfInputs);
            result = plan.method().merge(tm);
            checkFinite(plan, t, result);
        }
        Set<float[]> released = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ModelTensor m : inputs) {
            if (m.data() != result && released.add(m.data())) {
                source.release(m.data());
            }
        }
        return result;
    }

    private static void checkFinite(MergePlan plan, PlannedTensor t, float[] r) {
        int bad = 0;
        int first = -1;
        for (int i = 0; i < r.length; i++) {
            if (!Float.isFinite(r[i])) {
                if (bad++ == 0) {
                    first = i;
                }
            }
        }
        if (bad == 0) {
            return;
        }
        String cause = "";
        for (PlannedTensor.Input in : t.inputs()) {
            // re-read: the merge may have used the input arrays as scratch
            for (float v : in.model().dir().readFloat32(in.info())) {
                if (!Float.isFinite(v)) {
                    cause = "; model '" + in.model().ref() + "' already has NaN/Inf in this tensor";
                    break;
                }
            }
            if (!cause.isEmpty()) {
                break;
            }
        }
        throw MergeException.at(t.name(), "merge_method " + plan.method().name() + " produced " + bad
                + " NaN/Inf value(s) (first at flat index " + first + ")" + cause + "; parameters "
                + t.global() + ", per model " + t.inputs().stream().map(i -> i.model().ref() + "=" + i.params())
                .toList());
    }

    private static void writeHeads(MergePlan plan, Path dir) throws IOException {
        if (plan.headMode() != HeadMode.PER_TASK) {
            return;
        }
        for (MergePlan.TaskHead h : plan.taskHeads()) {
            Path hd = dir.resolve("heads").resolve(h.name());
            Files.createDirectories(hd);
            var info = h.model().dir().tensorByCanonicalName(Gpt2TensorNames.SCORE).orElseThrow();
            FloatTensor score = new FloatTensor(Gpt2TensorNames.SCORE, info.shape(), h.model().dir().readFloat32(info));
            SafetensorsWriter.write(hd.resolve("score.safetensors"), List.of(score), plan.outDtype(),
                    CheckpointWriter.METADATA);
            MergeOutputs.writeHeadJson(hd.resolve("head.json"), h);
        }
    }

    private static void publish(Path staging, Path out, boolean overwrite) throws IOException {
        checkTarget(out, overwrite);
        if (Files.exists(out)) {
            Path old = out.resolveSibling("." + out.getFileName() + ".old-" + suffix());
            Files.move(out, old);
            try {
                Files.move(staging, out);
            } catch (IOException | RuntimeException e) {
                Files.move(old, out);
                throw e;
            }
            deleteRecursively(old);
        } else {
            Files.move(staging, out);
        }
    }

    private static void checkTarget(Path out, boolean overwrite) throws IOException {
        if (Files.exists(out) && !overwrite) {
            boolean empty;
            try (var s = Files.list(out)) {
                empty = Files.isDirectory(out) && s.findAny().isEmpty();
            } catch (IOException e) {
                empty = false;
            }
            if (!empty) {
                throw new FileAlreadyExistsException(out.toString(), null, "exists; pass --overwrite to replace it");
            }
        }
    }

    private static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new MergeException(c.toString(), c);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** This process as staging names carry it: host and pid, so a rerun can tell a dead merge's leftovers. */
    static final String OWNER = host() + "-" + ProcessHandle.current().pid();

    /** {@code .OUT.merging-HOST-PID-}: what every staging folder (and its nested temp files) of OUT starts with. */
    static String stagingPrefix(Path out, String owner) {
        return "." + out.getFileName() + ".merging-" + owner + "-";
    }

    /**
     * Deletes staging beside {@code out} left by a merge on this host whose process is gone (killed: nothing ran
     * its cleanup). Staging of a live process, or of another host (a shared file system), is left alone.
     */
    static void removeStaleStaging(Path out) throws IOException {
        String head = "." + out.getFileName() + ".merging-" + host() + "-";
        List<Path> stale = new ArrayList<>();
        try (var siblings = Files.list(out.getParent())) {
            for (Path p : siblings.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith(head)) {
                    continue;
                }
                String rest = name.substring(head.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                stale.add(p);
            }
        }
        for (Path p : stale) {
            deleteRecursively(p);
            System.err.println("merge: removed " + p.getFileName() + " (staging of an interrupted merge)");
        }
    }

    /** The kernel's host name (no DNS look-up), with dashes replaced so HOST-PID parses. */
    private static String host() {
        String h;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            h = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        return h.isBlank() ? "localhost" : h.replaceAll("[^A-Za-z0-9_.]", "_");
    }

    private static String suffix() {
        return String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    private static void deleteQuietly(Path p, Throwable primary) {
        try {
            deleteRecursively(p);
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
