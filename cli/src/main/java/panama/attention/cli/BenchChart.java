package panama.attention.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import panama.attention.CausalMode;
import panama.attention.measure.Workload;

/**
 * bench's chart.png: GFLOP/s against sequence length (log2 axis), one line per backend, one
 * panel per (head dim, causal mode) of the run, with the measured FMA peak as a solid ceiling line
 * and OpenBLAS sgemm as a dashed reference line.
 * Drawn headless with JFreeChart.
 */
final class BenchChart {
    static final int WIDTH = 1200;
    static final int PANEL_HEIGHT = 420;

    /** Fixed colours so a backend looks the same in every chart. */
    private static final Map<String, Color> COLORS = Map.of(
            "NATIVE_CPU", new Color(0x1f, 0x77, 0xb4),
            "JAVA_VECTOR", new Color(0xff, 0x7f, 0x0e),
            "BLAS", new Color(0x2c, 0xa0, 0x2c),
            "JAVA_REFERENCE", new Color(0x7f, 0x7f, 0x7f),
            Bench.TRIPLE_LOOP, new Color(0xd6, 0x27, 0x28),
            "CUDA", new Color(0x94, 0x67, 0xbd));
    private static final Color[] EXTRA = {new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2),
        new Color(0xbc, 0xbd, 0x22), new Color(0x17, 0xbe, 0xcf)};

    private BenchChart() {
    }

    /** {@code sgemmGflops} and {@code peakGflops} are NaN when not measured: that line is then left out. */
    static void write(Path file, Bench.Config c, List<Bench.Row> rows, double sgemmGflops, double peakGflops, String title)
            throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Map<String, Color> colors = new LinkedHashMap<>();
        for (Bench.Row r : rows) {
            if (r.ok() && !colors.containsKey(r.backend())) {
                Color known = COLORS.get(r.backend());
                colors.put(r.backend(), known != null ? known : EXTRA[colors.size() % EXTRA.length]);
            }
        }
        double minSeq = Double.MAX_VALUE, maxSeq = 0;
        for (int s : c.seqs()) {
            minSeq = Math.min(minSeq, s);
            maxSeq = Math.max(maxSeq, s);
        }
        LogAxis x = new LogAxis("sequence length (Lq = Lk" + (c.kvSeq() == null ? "" : "; Lk = " + c.kvSeq()) + ")");
        x.setBase(2);
        x.setTickUnit(new NumberTickUnit(1));
        x.setNumberFormatOverride(new DecimalFormat("0"));
        x.setMinorTickMarksVisible(false);
        x.setRange(minSeq / 1.25, maxSeq * 1.25);
        x.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        x.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));

        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        plot.setGap(18);
        boolean panels = c.headDims().size() * c.causals().size() > 1;
        for (int d : c.headDims()) {
            for (CausalMode causal : c.causals()) {
                String label = "GFLOP/s" + (panels ? "  (d " + d + ", causal " + Args.lower(causal) + ")" : "");
                plot.add(panel(rows, d, causal, colors, sgemmGflops, peakGflops, label), 1);
            }
        }
        LegendItemCollection legend = new LegendItemCollection();
        for (Map.Entry<String, Color> e : colors.entrySet()) {
            legend.add(new LegendItem(e.getKey(), e.getValue()));
        }
        plot.setFixedLegendItems(legend);

        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 18), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle(subtitle(c), new Font(Font.SANS_SERIF, Font.PLAIN, 14)));
        LegendTitle lt = chart.getLegend();
        lt.setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        lt.setPosition(RectangleEdge.BOTTOM);
        int height = 170 + PANEL_HEIGHT * c.headDims().size() * c.causals().size();
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
    }

    private static String subtitle(Bench.Config c) {
        return String.format(Locale.ROOT, "batch %d, heads %d (kv %d), %s; GFLOP/s = 4·B·H·Lq·Lk·d / time (halved"
                + " for causal); JAVA_TRIPLE_LOOP runs 1 thread", c.batch(), c.heads(), c.kvHeads(),
                Bench.dtypeName(c.dtype()));
    }

    private static XYPlot panel(List<Bench.Row> rows, int d, CausalMode causal, Map<String, Color> colors,
                                double sgemmGflops, double peakGflops, String label) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        double max = 0;
        List<String> names = new ArrayList<>(colors.keySet());
        for (String name : names) {
            XYSeries s = new XYSeries(name, true, false);
            for (Bench.Row r : rows) {
                Workload.Shape sh = r.shape();
                if (r.ok() && r.backend().equals(name) && sh.headDim() == d && sh.causal() == causal) {
                    s.add(sh.seqQ(), r.gflops());
                    max = Math.max(max, r.gflops());
                }
            }
            int i = data.getSeriesCount();
            data.addSeries(s);
            Paint p = colors.get(name);
            renderer.setSeriesPaint(i, p);
            renderer.setSeriesStroke(i, new BasicStroke(name.equals(Bench.TRIPLE_LOOP) ? 2f : 3f));
        }
        NumberAxis y = new NumberAxis(label);
        y.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        y.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        double top = Math.max(max, Math.max(finiteOr0(sgemmGflops), finiteOr0(peakGflops)));
        y.setRange(0, top <= 0 ? 1 : top * 1.12);
        XYPlot plot = new XYPlot(data, null, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
        if (Double.isFinite(peakGflops)) {
            plot.addRangeMarker(line(peakGflops, new BasicStroke(1.5f), String.format(Locale.ROOT,
                    "FMA peak (measured, same threads): %.1f GFLOP/s, this CPU's ceiling", peakGflops)));
        }
        if (Double.isFinite(sgemmGflops)) {
            plot.addRangeMarker(line(sgemmGflops, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {8f, 6f}, 0f), String.format(Locale.ROOT, "OpenBLAS sgemm 2048³: %.1f GFLOP/s (reference)",
                    sgemmGflops)));
        }
        return plot;
    }

    private static double finiteOr0(double x) {
        return Double.isFinite(x) ? x : 0;
    }

    /** A labelled horizontal line at {@code gflops}. */
    private static ValueMarker line(double gflops, BasicStroke stroke, String label) {
        ValueMarker m = new ValueMarker(gflops, Color.DARK_GRAY, stroke);
        m.setLabel(label);
        m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        m.setLabelPaint(Color.DARK_GRAY);
        m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        m.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        m.setLabelOffset(new RectangleInsets(4, 8, 4, 8));
        return m;
    }
}
