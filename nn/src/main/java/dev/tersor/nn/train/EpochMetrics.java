package dev.tersor.nn.train;

/**
 * What one epoch measured.
 *
 * @param epoch              1-based epoch number
 * @param trainLoss          mean training loss over the epoch's batches
 * @param trainAccuracy      fraction of training samples classified right during the epoch
 * @param validationLoss     mean cross entropy on the validation split after the epoch (NaN without one)
 * @param validationAccuracy fraction right on the validation split after the epoch (NaN without one)
 * @param testAccuracy       fraction right on the test split after the epoch (NaN when the test split is
 *                           not evaluated per epoch: without one, or when a validation split is, see
 *                           {@link Trainer#fit(dev.tersor.nn.data.DataLoader, dev.tersor.nn.data.DataLoader,
 *                           dev.tersor.nn.data.DataLoader, Trainer.Options)})
 * @param epochSeconds       wall time of the training pass alone (no evaluation or checkpoint)
 * @param samplesPerSecond   training samples per second during that pass
 * @param lr                 the first group's learning rate at the end of the epoch
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
                           double testAccuracy, double epochSeconds, double samplesPerSecond, double lr) {

    static final String CSV_HEADER = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,test_accuracy,epoch_seconds,samples_per_second,lr";

    String csv() {
        return epoch + "," + trainLoss + "," + trainAccuracy + "," + validationLoss + "," + validationAccuracy + "," + testAccuracy + ","
                + epochSeconds + "," + samplesPerSecond + "," + lr;
    }

    /** One line of {@link #csv}; a line of seven fields (checkpoints written before validation splits) has no validation columns. */
    static EpochMetrics parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 9 && f.length != 7) throw new IllegalArgumentException("bad metrics line '" + line + "'");
        double[] v = new double[9];
        int k = 1;
        for (int i = 1; i < f.length; i++) {
            if (f.length == 7 && i == 3) k += 2;   // no val_loss, val_accuracy
            v[k++] = Double.parseDouble(f[i]);
        }
        if (f.length == 7) v[3] = v[4] = Double.NaN;
        return new EpochMetrics(Integer.parseInt(f[0]), v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }
}
