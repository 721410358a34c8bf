package dev.tersor.nn.train;

/** Thrown when the loss becomes NaN or infinite; the message says at which epoch and step. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
