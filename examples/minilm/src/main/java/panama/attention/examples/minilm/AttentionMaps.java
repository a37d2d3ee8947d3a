package panama.attention.examples.minilm;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.block.LengthConstraintType;
import org.jfree.chart.block.RectangleConstraint;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * Reading attention probabilities of one sequence: which key a query token weighs most, the
 * head where one token looks hardest at another, and a heatmap image of a layer's heads.
 * Probabilities are one batch entry's {@code [heads, seq, seq]}, row-major: row = query token,
 * column = key token, each row summing to 1 over the real tokens.
 */
public final class AttentionMaps {
    private AttentionMaps() {
    }

    /** A key and its weight. */
    public record Weight(int key, float weight) {
    }

    /** A head and the weight one query token gives one key token there. */
    public record HeadWeight(int head, float weight) {
    }

    /** probs of batch entry b out of (batch, heads, seq, seq). */
    public static float[] entry(float[] probs, int b, int heads, int seq) {
        float[] out = new float[heads * seq * seq];
        System.arraycopy(probs, b * out.length, out, 0, out.length);
        return out;
    }

    public static float weight(float[] p, int seq, int head, int query, int key) {
        return p[(head * seq + query) * seq + key];
    }

    /** The head in which {@code query} gives {@code key} the largest weight. */
    public static HeadWeight strongestHead(float[] p, int heads, int seq, int query, int key) {
        int best = 0;
        for (int h = 1; h < heads; h++) {
            if (weight(p, seq, h, query, key) > weight(p, seq, best, query, key)) {
                best = h;
            }
        }
        return new HeadWeight(best, weight(p, seq, best, query, key));
    }

    /** The k keys {@code query} weighs most in {@code head}, heaviest first. */
    public static List<Weight> top(float[] p, int seq, int head, int query, int k) {
        List<Weight> all = new ArrayList<>();
        for (int j = 0; j < seq; j++) {
            all.add(new Weight(j, weight(p, seq, head, query, j)));
        }
        all.sort((a, b) -> Float.compare(b.weight(), a.weight()));
        return all.subList(0, Math.min(k, all.size()));
    }

    /** Index of the first token equal to {@code word} (case-insensitive), or -1. */
    public static int indexOf(String[] tokens, String word) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].equalsIgnoreCase(word)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A grid of every head's map (4 columns), drawn with JFreeChart: one {@link XYBlockRenderer}
     * plot per head, row i and column j shaded by the weight query token i gives key token j
     * (white 0 to dark blue 1), token labels on both axes, and the colour scale under the title.
     */
    public static BufferedImage heatmap(float[] p, int heads, int seq, String[] tokens, String title) {
        int cell = Math.max(6, Math.min(28, 340 / seq));
        boolean labels = cell >= 8;
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(13, cell - 2)));
        int labelW = 0;
        if (labels) {
            BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D pg = probe.createGraphics();
            FontMetrics fm = pg.getFontMetrics(labelFont);
            for (String t : tokens) {
                labelW = Math.max(labelW, fm.stringWidth(t));
            }
            pg.dispose();
        }
        int margin = labels ? labelW + 16 : 8;
        int grid = cell * seq;
        int panelW = margin + grid + 16;
        int panelH = 26 + grid + margin + 10;
        int cols = Math.min(4, heads);
        int rows = (heads + cols - 1) / cols;
        int top = 96;
        int width = Math.max(cols * panelW + 20, 640);
        int height = top + rows * panelH + 10;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        draw(g, new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 18)), new Rectangle2D.Double(0, 4, width, 26));
        draw(g, new TextTitle("rows: query token (attends from)   columns: key token (attends to)   shade: probability"
                + " 0 to 1", labelFont), new Rectangle2D.Double(0, 32, width, 18));
        NumberAxis scaleAxis = new NumberAxis();
        scaleAxis.setRange(0, 1);
        scaleAxis.setTickLabelFont(labelFont);
        PaintScaleLegend legend = new PaintScaleLegend(SHADES, scaleAxis);
        legend.setStripWidth(12);
        legend.draw(g, new Rectangle2D.Double(width / 2.0 - 120, 54, 240, 38));
        for (int h = 0; h < heads; h++) {
            int x0 = 10 + (h % cols) * panelW;
            int y0 = top + (h / cols) * panelH;
            headChart(p, h, seq, tokens, labels, labelFont).draw(g, new Rectangle2D.Double(x0, y0, panelW, panelH));
        }
        g.dispose();
        return img;
    }

    /** A text title outside a chart: laid out (which builds its text) to {@code area}'s width, then drawn there. */
    private static void draw(Graphics2D g, TextTitle t, Rectangle2D area) {
        t.arrange(g, new RectangleConstraint(area.getWidth(), null, LengthConstraintType.FIXED, 0, null,
                LengthConstraintType.NONE));
        t.draw(g, area);
    }

    /** One head's map: keys along x, queries down y (row 0 at the top), one block per pair. */
    private static JFreeChart headChart(float[] p, int head, int seq, String[] tokens, boolean labels, Font labelFont) {
        double[] x = new double[seq * seq], y = new double[seq * seq], z = new double[seq * seq];
        for (int i = 0; i < seq; i++) {
            for (int j = 0; j < seq; j++) {
                x[i * seq + j] = j;
                y[i * seq + j] = i;
                z[i * seq + j] = weight(p, seq, head, i, j);
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("head " + head, new double[][] {x, y, z});
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(SHADES);
        SymbolAxis keys = tokenAxis(tokens, labels, labelFont);
        keys.setVerticalTickLabels(true);
        SymbolAxis queries = tokenAxis(tokens, labels, labelFont);
        queries.setInverted(true);
        XYPlot plot = new XYPlot(data, keys, queries, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.GRAY);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        JFreeChart chart = new JFreeChart("head " + head, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static SymbolAxis tokenAxis(String[] tokens, boolean labels, Font font) {
        SymbolAxis a = new SymbolAxis(null, tokens);
        a.setGridBandsVisible(false);
        a.setTickLabelsVisible(labels);
        a.setTickMarksVisible(false);
        a.setTickLabelFont(font);
        return a;
    }

    /** White at 0 to dark blue at 1; the square root spreads the small weights apart. */
    static Color shade(float p) {
        float t = (float) Math.sqrt(Math.max(0, Math.min(1, p)));
        int r = Math.round(255 - t * (255 - 8));
        int gr = Math.round(255 - t * (255 - 48));
        int b = Math.round(255 - t * (255 - 107));
        return new Color(r, gr, b);
    }

    /** {@link #shade} as JFreeChart's colour scale over [0, 1]. */
    private static final PaintScale SHADES = new PaintScale() {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 1;
        }

        @Override
        public Paint getPaint(double value) {
            return shade((float) value);
        }
    };
}
