package dev.tersor.nn.train;

/**
 * What one epoch measured.
 *
 * @param epoch            1-based epoch number
 * @param trainLoss        mean training loss over the epoch's batches
 * @param trainAccuracy    fraction of training samples classified right during the epoch
 * @param testAccuracy     fraction right on the test split after the epoch (NaN without one)
 * @param epochSeconds     wall time of the training pass alone (no evaluation or checkpoint)
 * @param samplesPerSecond training samples per second during that pass
 * @param lr               the first group's learning rate at the end of the epoch
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double epochSeconds,
                           double samplesPerSecond, double lr) {

    static final String CSV_HEADER = "epoch,train_loss,train_accuracy,test_accuracy,epoch_seconds,samples_per_second,lr";

    String csv() {
        return epoch + "," + trainLoss + "," + trainAccuracy + "," + testAccuracy + "," + epochSeconds + ","
                + samplesPerSecond + "," + lr;
    }

    static EpochMetrics parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 7) throw new IllegalArgumentException("bad metrics line '" + line + "'");
        return new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
    }
}
