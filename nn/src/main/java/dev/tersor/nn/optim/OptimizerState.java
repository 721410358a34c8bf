package dev.tersor.nn.optim;

import dev.tersor.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An optimizer's saveable state, shaped to go into one safetensors file: the per-parameter
 * buffers as tensors and everything else as string metadata (safetensors' {@code __metadata__}).
 * <p>Keys ({@code i} counts parameters across groups in order, as PyTorch; {@code g} counts groups):
 * <pre>
 * tensors   state.{i}.{buffer}          e.g. state.0.exp_avg, state.3.momentum_buffer
 * metadata  optimizer                   the class, e.g. "Adam"
 *           param_groups                number of groups, e.g. "2"
 *           param_groups.{g}.params     the group's parameter indices, e.g. "0,1,2"
 *           param_groups.{g}.{option}   each hyperparameter, e.g. param_groups.0.lr = "0.001"
 *           state.{i}.step              steps taken by parameter i, e.g. "3"
 * </pre>
 * Parameters that have not been stepped yet have no {@code state.{i}} entries. Doubles are
 * written with {@link Double#toString} and read back exactly. To keep several states in one
 * file, {@link #withPrefix} them and {@link #extract} them again.
 *
 * @param tensors  per-parameter buffers (read-only, insertion-ordered)
 * @param metadata hyperparameters, group layout and step counts (read-only, insertion-ordered)
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, String> metadata) {
    public OptimizerState {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
    }

    /** The same state with {@code prefix} (e.g. {@code "optimizer."}) before every key. */
    public OptimizerState withPrefix(String prefix) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        tensors.forEach((k, v) -> t.put(prefix + k, v));
        Map<String, String> m = new LinkedHashMap<>();
        metadata.forEach((k, v) -> m.put(prefix + k, v));
        return new OptimizerState(t, m);
    }

    /** The entries of a larger checkpoint whose keys start with {@code prefix}, with it removed. */
    public static OptimizerState extract(String prefix, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) t.put(k.substring(prefix.length()), v);
        });
        Map<String, String> m = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return new OptimizerState(t, m);
    }
}
