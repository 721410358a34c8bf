package dev.tersor.compress.prune;

import dev.tersor.nn.Module;
import dev.tersor.nn.shift.GhostShift;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GhostSR's {@link GhostShift} as a routing layer: output channel o is {@code cat[order[o]]} of
 * cat(intrinsic, ghosts), ghost j a shifted copy of intrinsic channel {@code source[j]}. The
 * trace puts an intrinsic channel, its ghosts and their output positions in one group, so a
 * rebuild keeps whole ghosts: the kept intrinsic channels (renumbered), the kept ghosts with
 * their logits rows and renumbered sources, and the kept outputs' order renumbered into the
 * new cat. At least one ghost must remain (a ghost module without ghosts is a convolution).
 */
final class GhostShiftSurgery implements LayerSurgery {
    @Override
    public boolean accepts(Module layer) {
        return layer.getClass() == GhostShift.class;
    }

    @Override
    public Role role(Module layer) {
        return Role.ROUTING;
    }

    @Override
    public Module rebuild(Module layer, int[] keptIn, int[] keptOut) {
        GhostShift s = (GhostShift) layer;
        int intrinsic = s.intrinsicChannels();
        int[] order = s.order(), source = s.sources();
        float[] logits = s.logits().value().toArray();
        int dirs = logits.length / Math.max(1, s.ghostChannels());
        boolean[] keepGhost = new boolean[s.ghostChannels()];
        for (int o : keptOut) if (order[o] >= intrinsic) keepGhost[order[o] - intrinsic] = true;
        int[] ghostPos = new int[keepGhost.length];
        int ghosts = 0;
        for (int j = 0; j < keepGhost.length; j++) ghostPos[j] = keepGhost[j] ? ghosts++ : -1;
        if (ghosts == 0) throw new IllegalStateException("GhostShift: pruning would remove every ghost channel");
        float[] newSource = new float[ghosts], newLogits = new float[ghosts * dirs], newOrder = new float[keptOut.length];
        for (int j = 0; j < keepGhost.length; j++) {
            if (!keepGhost[j]) continue;
            int at = Arrays.binarySearch(keptIn, source[j]);
            if (at < 0) throw new IllegalStateException("GhostShift: ghost " + j + " is kept but its intrinsic channel " + source[j] + " is not");
            newSource[ghostPos[j]] = at;
            System.arraycopy(logits, j * dirs, newLogits, ghostPos[j] * dirs, dirs);
        }
        for (int i = 0; i < keptOut.length; i++) {
            int c = order[keptOut[i]];
            int pos = c < intrinsic ? Arrays.binarySearch(keptIn, c) : keptIn.length + ghostPos[c - intrinsic];
            if (pos < 0) throw new IllegalStateException("GhostShift: output " + keptOut[i] + " is kept but its intrinsic channel " + c + " is not");
            newOrder[i] = pos;
        }
        GhostShift fresh = new GhostShift(keptIn.length, keptIn.length + ghosts, new Generator(0));
        if (fresh.outChannels() != keptOut.length) {
            throw new IllegalStateException("GhostShift: " + keptOut.length + " kept outputs for " + keptIn.length + " intrinsic and " + ghosts + " ghost channels");
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("logits", Tensor.fromArray(newLogits, ghosts, dirs));
        state.put("source", Tensor.fromArray(newSource, ghosts));
        state.put("order", Tensor.fromArray(newOrder, keptOut.length));
        fresh.loadStateDict(state, true);
        fresh.setTemperature(s.temperature());
        fresh.setNoiseScale(s.noiseScale());
        return fresh;
    }
}
