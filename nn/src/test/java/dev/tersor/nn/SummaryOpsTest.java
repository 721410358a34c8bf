package dev.tersor.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.OpLog;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Summary#withOps}: the functional ops between the layers, attributed to the module whose forward ran them. */
class SummaryOpsTest {
    @Test
    void lenet5ShowsItsReluPoolingAndFlattenBetweenTheLayers() {
        Summary s = Summary.withOps(Zoo.create("lenet5"), 1, 28, 28);
        List<String> rows = s.rows().stream().map(r -> (r.name().isEmpty() ? "" : r.name() + " ") + r.type()).toList();
        assertEquals(List.of("conv1 Conv2d", "(relu)", "(maxpool2d)", "conv2 Conv2d", "(relu)", "(maxpool2d)", "(reshape)", "fc1 Linear", "(relu)",
                "fc2 Linear", "(relu)", "fc3 Linear"), rows);
        assertArrayEquals(new int[] {1, 6, 14, 14}, s.rows().get(2).outputShape(), "the first pooling halves 28×28");
        assertArrayEquals(new int[] {1, 400}, s.rows().get(6).outputShape(), "the flatten before fc1");
        Summary plain = Summary.of(Zoo.create("lenet5"), 1, 28, 28);
        assertEquals(5, plain.rows().size(), "of() lists the layers only");
        assertEquals(plain.totalMacs(), s.totalMacs());
        assertEquals(plain.totalParameters(), s.totalParameters());
        assertTrue(s.rows().stream().filter(Summary.Row::isOp).allMatch(r -> r.macs() == 0 && r.parameters() == 0));
    }

    @Test
    void aResidualBlockOwnsItsAddAndTheLogClosesAfter() {
        Summary s = Summary.withOps(Zoo.create("resnet20"), 3, 32, 32);
        assertTrue(s.rows().stream().anyMatch(r -> r.name().equals("layer1.0") && r.type().equals("(add)")), "the block's residual add");
        assertTrue(s.rows().stream().noneMatch(r -> r.isOp() && r.name().equals("layer1.0.conv1")), "a layer's own ops are its row");
        try (OpLog log = OpLog.start()) {
            Tensor.zeros(2).add(Tensor.ones(2));
            assertEquals(List.of("add"), log.entries().stream().map(OpLog.Entry::op).toList(), "a fresh log sees only its own ops");
        }
    }
}
