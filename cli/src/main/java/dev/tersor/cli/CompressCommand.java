package dev.tersor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor compress}: makes a compressed model file from float weights. Every subcommand
 * holds out a validation split of the training split ({@code --val-split}, {@link Holdout}) that
 * scores each fine-tuning epoch and every choice made from data, evaluates the float and the
 * compressed model on it and, once, on the test split, writes a compressed model file that
 * {@code eval}, {@code predict} and {@code info} read without {@code --model}, and prints a
 * per-layer size table.
 * <pre>{@code
 * tersor compress ptq --model lenet5 --weights lenet5.safetensors --data data/mnist --out lenet5-int8.safetensors
 * tersor compress qat --model lenet5 --weights lenet5.safetensors --method lsq --wbits 4 --abits 4 --out lenet5-w4a4.safetensors
 * tersor compress cluster --model lenet5 --weights lenet5.safetensors --bits 3 --out lenet5-dp3.safetensors
 * tersor compress prune --model resnet20-fashion --weights resnet20-fashion.safetensors --method hrank --flops 0.5 --finetune-epochs 10 --out r20-hrank.safetensors
 * }</pre>
 */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = {"Compress float weights into a compressed model file (real size on disk, integer or codebook layers).",
            "Subcommands: ptq (post-training int8), qat (quantization-aware training), cluster (DP-Net weight clustering), slb (searched low-bit weights), abs (automatic bit sharing under a BOPs budget), prune (structural pruning into a smaller dense model), sparsify (unstructured magnitude pruning stored sparsely), distill (knowledge distillation into a student)."},
        subcommands = {CompressPtq.class, CompressQat.class, CompressCluster.class, CompressSlb.class, CompressAbs.class, CompressPrune.class,
            CompressSparse.class, CompressDistill.class})
final class CompressCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        throw new ParameterException(cl, "missing subcommand: one of " + String.join(", ", spec.subcommands().keySet()));
    }
}
