package dev.tersor.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.io.SizeReport;
import dev.tersor.compress.prune.Allocator;
import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Criteria;
import dev.tersor.compress.prune.Pruning;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.compress.prune.PruningTarget;
import dev.tersor.compress.ptq.Calibration;
import dev.tersor.compress.ptq.ObserverKind;
import dev.tersor.compress.ptq.PtqConfig;
import dev.tersor.compress.ptq.PtqResult;
import dev.tersor.compress.quant.QuantConfig;
import dev.tersor.compress.quant.QuantMethod;
import dev.tersor.compress.quant.Quantization;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's compression example, as written there (with a fresh model instead of trained weights). */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeCompressionExampleRuns() throws IOException {
        Rng.manualSeed(1);
        Module model = Zoo.create("lenet5").eval();                       // (the README loads trained weights here)
        Normalize mnist = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});
        DataLoader calibration = DataLoader.builder(Mnist.bundledSample(true).subset(0, 512)).setBatchSize(64)
                .optTransform(mnist).build();

        // --- README: post-training int8 ---
        PtqResult ptq = Calibration.run(model, calibration, PtqConfig.defaults().withObserver(ObserverKind.HISTOGRAM));
        Conversion.convert(model, ptq.layers());                         // int8 weights and integer kernels
        Path file = dir.resolve("lenet5-int8.safetensors");
        CompressedModel.save(model, "lenet5", "ptq histogram", file);    // 65 KB on disk instead of 248 KB
        Module int8 = CompressedModel.load(file);                        // a runnable model in eval mode
        System.out.println(SizeReport.of(int8, 1, 28, 28));              // bits, bytes and BOPs per layer

        // --- README: quantization-aware training, W4A4 LSQ ---
        Module qat = Zoo.create("lenet5");
        Quantization.prepare(qat, QuantConfig.builder(QuantMethod.LSQ).bits(4, 4).build());   // first/last layers stay float
        DataLoader train = DataLoader.builder(Mnist.bundledSample(true).subset(0, 256)).setBatchSize(64).optTransform(mnist).build();
        new Trainer(qat, new Sgd(qat.parameters(), Sgd.options(0.005).momentum(0.9).build()), null, Losses::crossEntropy)
                .fit(train, null, Trainer.Options.epochs(1).log(null));
        Conversion.convert(qat);
        CompressedModel.save(qat, "lenet5", "qat lsq w4a4", dir.resolve("lenet5-w4a4.safetensors"));

        Tensor x = mnist.apply(Mnist.bundledSample(false).subset(0, 8).inputs(), null);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(model.call(x).toArray(), int8.call(x).toArray(), "the file holds the converted model");
        }
        assertTrue(Files.size(file) < 70_000 && Files.size(dir.resolve("lenet5-w4a4.safetensors")) < 40_000);
    }

    @Test
    void readmePruningExampleRuns() throws IOException {
        Rng.manualSeed(2);
        Module model = Zoo.create("resnet20-fashion").eval();             // (the README loads trained weights here)
        Tensor sample = Tensor.zeros(1, 1, 28, 28);
        Path file = dir.resolve("r20-l1.safetensors");

        // --- README: structural pruning ---
        ChannelGraph g = ChannelTrace.trace(model, sample);               // residual adds, shortcuts, flatten followed
        Set<Integer> drop = Allocator.choose(g, Criteria.l1().scores(model, g), PruningTarget.flops(0.5).roundedTo(4));
        PruningPlan plan = Pruning.apply(model, g, drop, sample);          // smaller Conv2d/BatchNorm2d/Linear layers
        CompressedModel.save(model, "resnet20-fashion", plan, "prune l1", file);

        assertTrue(ChannelTrace.trace(model, sample).macs() <= g.macs() / 2);
        Tensor x = Tensor.randn(new dev.tersor.tensor.Generator(1), 2, 1, 28, 28);
        try (var ng = Tensor.noGrad()) {
            assertArrayEquals(model.call(x).toArray(), CompressedModel.load(file).call(x).toArray());
        }
    }
}
