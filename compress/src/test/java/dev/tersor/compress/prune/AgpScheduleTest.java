package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AgpScheduleTest {
    @Test
    void followsEquationOneOfZhuAndGupta() {
        AgpSchedule s = new AgpSchedule(0.1, 0.9, 200, 10, 100);   // prunes over steps 200..1200
        assertEquals(1200, s.endStep());
        assertEquals(0.1, s.sparsityAt(0), 1e-12);                  // before t0: s_i
        assertEquals(0.1, s.sparsityAt(200), 1e-12);
        // t = 700: (t − t0)/(nΔt) = 0.5 → 0.9 + (0.1 − 0.9)·0.125 = 0.8
        assertEquals(0.8, s.sparsityAt(700), 1e-12);
        // t = 300: 0.1 of the way → 0.9 − 0.8·0.729 = 0.3168
        assertEquals(0.3168, s.sparsityAt(300), 1e-12);
        assertEquals(0.9, s.sparsityAt(1200), 1e-12);
        assertEquals(0.9, s.sparsityAt(5000), 1e-12);
        double prev = 0;
        for (long t = 0; t <= 1300; t += 50) {
            assertTrue(s.sparsityAt(t) >= prev);
            prev = s.sparsityAt(t);
        }
    }

    @Test
    void masksUpdateEveryFrequencyStepsInsideTheRange() {
        AgpSchedule s = new AgpSchedule(0, 0.5, 10, 3, 5);   // updates at 10, 15, 20, 25
        int count = 0;
        for (long t = 0; t < 40; t++) if (s.isPruningStep(t)) count++;
        assertEquals(4, count);
        assertTrue(s.isPruningStep(10));
        assertTrue(s.isPruningStep(25));
        assertFalse(s.isPruningStep(11));
        assertFalse(s.isPruningStep(30));
        assertFalse(s.isPruningStep(5));
    }

    @Test
    void untilSpreadsTheStepsOverTheRun() {
        AgpSchedule s = AgpSchedule.until(0, 0.8, 937, 100);
        assertEquals(9, s.pruningSteps());
        assertEquals(900, s.endStep());
        assertEquals(1, AgpSchedule.until(0, 0.8, 3, 100).pruningSteps());
    }

    @Test
    void badSettingsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AgpSchedule(0, 1.0, 0, 1, 1)).getMessage().contains("final sparsity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AgpSchedule(-0.1, 0.5, 0, 1, 1)).getMessage().contains("initial sparsity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AgpSchedule(0.6, 0.5, 0, 1, 1)).getMessage().contains("below the initial"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AgpSchedule(0, 0.5, -1, 1, 1)).getMessage().contains("start step"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AgpSchedule(0, 0.5, 0, 0, 1)).getMessage().contains("pruning steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AgpSchedule(0, 0.5, 0, 1, 0)).getMessage().contains("frequency"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AgpSchedule(0, Double.NaN, 0, 1, 1)).getMessage().contains("final sparsity"));
    }
}
