package panama.attention.examples.minilm;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

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
     * A grid of every head's map (4 columns): row i, column j shaded by the weight query token i
     * gives key token j (white 0 to dark blue 1), token labels on both axes of every panel.
     */
    public static BufferedImage heatmap(float[] p, int heads, int seq, String[] tokens, String title) {
        int cell = Math.max(6, Math.min(28, 340 / seq));
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(13, cell - 2)));
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 18);
        Font headFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(labelFont);
        int labelW = 0;
        for (String t : tokens) {
            labelW = Math.max(labelW, fm.stringWidth(t));
        }
        pg.dispose();
        boolean labels = cell >= 8;
        int margin = labels ? labelW + 8 : 4;
        int grid = cell * seq;
        int panelW = margin + grid + 16;
        int panelH = 22 + grid + margin + 10;
        int cols = Math.min(4, heads);
        int rows = (heads + cols - 1) / cols;
        int top = 56;
        int width = cols * panelW + 20;
        int height = top + rows * panelH + 10;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        g.drawString(title, 12, 24);
        g.setFont(labelFont);
        g.drawString("rows: query token (attends from)   columns: key token (attends to)   shade: probability 0 to 1", 12, 44);
        legend(g, width - 190, 30, 160, 12, labelFont);
        for (int h = 0; h < heads; h++) {
            int x0 = 10 + (h % cols) * panelW;
            int y0 = top + (h / cols) * panelH;
            g.setFont(headFont);
            g.setColor(Color.BLACK);
            g.drawString("head " + h, x0 + margin, y0 + 16);
            int gx = x0 + margin, gy = y0 + 22;
            for (int i = 0; i < seq; i++) {
                for (int j = 0; j < seq; j++) {
                    g.setColor(shade(weight(p, seq, h, i, j)));
                    g.fillRect(gx + j * cell, gy + i * cell, cell, cell);
                }
            }
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1f));
            g.drawRect(gx, gy, grid, grid);
            if (labels) {
                g.setFont(labelFont);
                g.setColor(Color.BLACK);
                FontMetrics m = g.getFontMetrics();
                for (int i = 0; i < seq; i++) {
                    String t = tokens[i];
                    int baseline = gy + i * cell + (cell + m.getAscent() - m.getDescent()) / 2;
                    g.drawString(t, gx - 4 - m.stringWidth(t), baseline);
                }
                AffineTransform saved = g.getTransform();
                for (int j = 0; j < seq; j++) {
                    String t = tokens[j];
                    int cx = gx + j * cell + (cell + m.getAscent() - m.getDescent()) / 2;
                    g.setTransform(saved);
                    g.translate(cx, gy + grid + 4);
                    g.rotate(Math.PI / 2);
                    g.drawString(t, 0, 0);
                }
                g.setTransform(saved);
            }
        }
        g.dispose();
        return img;
    }

    /** White at 0 to dark blue at 1; the square root spreads the small weights apart. */
    static Color shade(float p) {
        float t = (float) Math.sqrt(Math.max(0, Math.min(1, p)));
        int r = Math.round(255 - t * (255 - 8));
        int gr = Math.round(255 - t * (255 - 48));
        int b = Math.round(255 - t * (255 - 107));
        return new Color(r, gr, b);
    }

    private static void legend(Graphics2D g, int x, int y, int w, int h, Font font) {
        for (int i = 0; i < w; i++) {
            g.setColor(shade(i / (float) (w - 1)));
            g.fillRect(x + i, y, 1, h);
        }
        g.setColor(Color.GRAY);
        g.drawRect(x, y, w, h);
        g.setColor(Color.BLACK);
        g.setFont(font);
        g.drawString("0", x - 10, y + h);
        g.drawString("1", x + w + 4, y + h);
    }
}
