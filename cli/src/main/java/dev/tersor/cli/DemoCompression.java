package dev.tersor.cli;

import dev.tersor.compress.cluster.Clustering;
import dev.tersor.compress.cluster.StraightThroughClustering;
import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.ptq.Calibration;
import dev.tersor.compress.ptq.ObserverKind;
import dev.tersor.compress.ptq.PtqConfig;
import dev.tersor.compress.quant.QuantConfig;
import dev.tersor.compress.quant.QuantMethod;
import dev.tersor.compress.quant.Quantization;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.train.EpochMetrics;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.nn.zoo.Zoo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The compressed rows of {@code tersor demo}, each made from the trained LeNet-5 of the first
 * row and saved as a compressed model file (its size on disk is the real size):
 * <ul>
 *   <li>int8 PTQ: batch norm-free LeNet-5 calibrated on the first 2048 training images
 *       (histogram observer), integer layers;</li>
 *   <li>W4A4 LSQ: {@value #QAT_EPOCHS} epochs of quantization-aware training with the lenet5
 *       recipe at a tenth of its learning rate (first and last layers float, as the LSQ paper);</li>
 *   <li>DP-Net 3-bit: optimal 8-centre clustering of every layer, {@value #CLUSTER_EPOCHS} epoch
 *       of clustered training (straight-through, {@link StraightThroughClustering}) with the lenet5
 *       recipe at a tenth of its learning rate.</li>
 * </ul>
 */
final class DemoCompression {
    static final int QAT_EPOCHS = 2, CLUSTER_EPOCHS = 1, CALIBRATION = 2048;

    private DemoCompression() {
    }

    /** A compressed model: how it was evaluated and where it was saved. */
    record Made(String id, String label, Module model, double secondsPerEpoch, double imagesPerSecond) {
    }

    /** The three compressed variants of {@code trained} (loaded fresh from {@code weights} for each). */
    static List<Made> all(Path weights, TensorDataset train, long seed, PrintWriter err) throws IOException {
        ModelInfo info = Zoo.info("lenet5");
        return List.of(ptq(info, weights, train, err), lsq(info, weights, train, seed, err), cluster(info, weights, train, seed, err));
    }

    private static Made ptq(ModelInfo info, Path weights, TensorDataset train, PrintWriter err) throws IOException {
        err.println("tersor demo: LeNet-5 int8, post-training quantization on " + CALIBRATION + " training images");
        err.flush();
        Module m = Models.load(info, weights);
        DataLoader calib = CompressOptions.firstSamples(info, train, CALIBRATION, 64);
        Conversion.convert(m, Calibration.run(m, calib, PtqConfig.defaults().withObserver(ObserverKind.HISTOGRAM)).layers());
        return new Made("lenet5-int8", "LeNet-5 int8 PTQ", m, Double.NaN, Double.NaN);
    }

    private static Made lsq(ModelInfo info, Path weights, TensorDataset train, long seed, PrintWriter err) throws IOException {
        Module m = Models.load(info, weights);
        Quantization.prepare(m, QuantConfig.builder(QuantMethod.LSQ).bits(4, 4).build());
        Recipe r = info.recipe();
        Rng.manualSeed(seed);
        DataLoader loader = DataSplits.trainLoader(info, train, r.batch(), seed);
        Recipe tenth = new Recipe(r.optimizer(), r.lr() / 10, r.momentum(), r.weightDecay(), r.schedule(), QAT_EPOCHS, r.batch());
        Optimizer<?> opt = Training.optimizer(tenth, Quantization.weightParameters(m), Quantization.quantizerParameters(m), tenth.lr());
        err.println("tersor demo: LeNet-5 W4A4 LSQ, " + QAT_EPOCHS + " epochs of quantization-aware training, " + tenth);
        err.flush();
        List<EpochMetrics> h = new Trainer(m, opt, Training.scheduler(tenth, opt, loader.size()), Losses::crossEntropy)
                .fit(loader, null, Trainer.Options.epochs(QAT_EPOCHS).log(WriterStream.of(err)));
        Conversion.convert(m);
        return made("lenet5-w4a4-lsq", "LeNet-5 W4A4 LSQ", m, h, loader.size() * r.batch());
    }

    private static Made cluster(ModelInfo info, Path weights, TensorDataset train, long seed, PrintWriter err) throws IOException {
        Module m = Models.load(info, weights);
        Recipe r = info.recipe();
        Recipe tenth = new Recipe(r.optimizer(), r.lr() / 10, r.momentum(), r.weightDecay(), r.schedule(), CLUSTER_EPOCHS, r.batch());
        Rng.manualSeed(seed);
        DataLoader loader = DataSplits.trainLoader(info, train, r.batch(), seed);
        err.println("tersor demo: LeNet-5 DP-Net 3-bit, " + CLUSTER_EPOCHS + " epoch of clustered (straight-through) training, " + tenth);
        err.flush();
        Optimizer<?> opt = Training.optimizer(tenth, m);
        List<EpochMetrics> h;
        try (StraightThroughClustering ste = StraightThroughClustering.attach(m, 3, List.of())) {
            h = new Trainer(m, opt, Training.scheduler(tenth, opt, loader.size()), Losses::crossEntropy)
                    .fit(loader, null, Trainer.Options.epochs(CLUSTER_EPOCHS).onEpochStart(ste.everyEpoch()).log(WriterStream.of(err)));
        }
        Clustering.apply(m, 3);   // exact: the weights sit on their 8 centres
        Conversion.convert(m);
        return made("lenet5-dpnet3", "LeNet-5 DP-Net 3-bit", m, h, loader.size() * r.batch());
    }

    private static Made made(String id, String label, Module m, List<EpochMetrics> h, long imagesPerEpoch) {
        double seconds = h.stream().mapToDouble(EpochMetrics::epochSeconds).sum() / h.size();
        return new Made(id, label, m, seconds, imagesPerEpoch / Math.max(seconds, 1e-9));
    }

    /** Saves {@code made} as a compressed file in {@code dir}; returns the file. */
    static Path save(Made made, Path dir, String recipe) throws IOException {
        Path file = dir.resolve(made.id() + ".safetensors");
        CompressedModel.save(made.model(), "lenet5", recipe, file);
        return file;
    }

    static Evaluation evaluate(Path file, DataLoader test) throws IOException {
        return Evaluation.of(CompressedModel.load(file), test);
    }
}
