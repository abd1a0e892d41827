/** Study reports: Markdown/LaTeX/CSV tables and PNG plots. */
package io.mergelab.report;
