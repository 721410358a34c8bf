package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Group;
import dev.tersor.compress.prune.ChannelGraph.Site;
import java.util.Arrays;
import java.util.Map;

/**
 * Turns per-channel scores of layers into per-group scores: each layer's scores are divided by
 * their mean over the layer (so layers of different scale weigh the same), and a group's score is
 * the mean of the normalised scores of its channels that have one. A group of one layer's channel
 * thus ranks exactly as that channel ranks within its layer.
 */
final class GroupScores {
    private GroupScores() {
    }

    /** Group scores from {@code channelScores} (layer path → one score per output channel, or per channel of a channel-wise layer). */
    static double[] of(ChannelGraph graph, Map<String, double[]> channelScores, boolean outputSites) {
        Map<String, double[]> normalised = new java.util.HashMap<>();
        for (var e : channelScores.entrySet()) {
            double[] s = e.getValue();
            double mean = Arrays.stream(s).map(Math::abs).average().orElse(0);
            double[] n = new double[s.length];
            for (int i = 0; i < s.length; i++) n[i] = mean > 0 ? s[i] / mean : 0;
            normalised.put(e.getKey(), n);
        }
        double[] out = new double[graph.groups().size()];
        for (Group g : graph.groups()) {
            if (!g.prunable()) {
                out[g.id()] = Double.NaN;
                continue;
            }
            double sum = 0;
            int n = 0;
            for (Site s : g.sites()) {
                double[] v = normalised.get(s.path());
                if (v == null || s.out() != outputSites) continue;
                sum += v[s.index()];
                n++;
            }
            out[g.id()] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }
}
