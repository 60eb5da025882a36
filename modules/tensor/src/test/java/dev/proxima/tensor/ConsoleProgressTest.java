package dev.proxima.tensor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleProgressTest {

    /** A clock the test moves by hand. */
    private static final class FakeClock {
        long nanos = 5_000_000_000L;

        void seconds(double s) {
            nanos += (long) (s * 1e9);
        }
    }

    private static final String NL = System.lineSeparator();

    @Test
    void plainOutputPrintsOneLinePerTenthWithRateAndEta() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock();
        ConsoleProgress p = new ConsoleProgress(out, false, () -> clock.nanos);
        p.start("train", 100);
        assertEquals("", out.toString(), "plain output prints nothing at the start");
        for (int i = 1; i <= 100; i++) {
            clock.seconds(0.5); // 2 steps per second
            p.advance(i, i == 10 ? "loss 0.5" : "");
        }
        p.finish();
        List<String> lines = out.toString().lines().toList();
        assertEquals(11, lines.size(), out.toString());
        // 10 steps after 5 s: 2.0 it/s, 90 steps left -> 45 s
        assertEquals("train [##..................]  10/100  10%  2.0 it/s  ETA 0:45  loss 0.5", lines.get(0));
        assertEquals("train [##########..........]  50/100  50%  2.0 it/s  ETA 0:25", lines.get(4));
        assertEquals("train [####################] 100/100 100%  2.0 it/s", lines.get(9));
        assertEquals("train: 100 steps in 50.0 s (2.0 it/s)", lines.get(10));
    }

    @Test
    void terminalOutputRedrawsInPlaceAtMostEveryTenthOfASecond() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock();
        ConsoleProgress p = new ConsoleProgress(out, true, () -> clock.nanos);
        p.start("fit", 4);
        assertEquals("\rfit [....................] 0/4   0%", out.toString());
        clock.seconds(0.05);
        p.advance(1, "");
        assertEquals("\rfit [....................] 0/4   0%", out.toString(), "no redraw within 100 ms");
        clock.seconds(0.15); // 0.2 s: 2 steps -> 10 it/s, 2 left -> 0.2 s, shown rounded up as 0:01
        p.advance(2, "loss 1.25");
        String half = "fit [##########..........] 2/4  50%  10.0 it/s  ETA 0:01  loss 1.25";
        assertTrue(out.toString().endsWith("\r" + half), out.toString());
        clock.seconds(0.01);
        p.advance(4, "loss 1");  // the last step is always drawn; the shorter line is padded over the old one
        String full = "fit [####################] 4/4 100%  19.0 it/s  loss 1";
        assertTrue(out.toString().endsWith("\r" + full + " ".repeat(half.length() - full.length())), out.toString());
        p.finish();
        String last = out.toString().substring(out.lastIndexOf("\r") + 1);
        assertEquals("fit: 4 steps in 0.2 s (19.0 it/s)  loss 1" + NL, last);
    }

    @Test
    void unknownTotalsPrintCountsEveryTenSecondsAndSlowRatesAsSecondsPerStep() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock();
        ConsoleProgress p = new ConsoleProgress(out, false, () -> clock.nanos);
        p.start("solve", 0);
        clock.seconds(4);
        p.advance(1, "");
        assertEquals("", out.toString());
        clock.seconds(8); // 12 s, 2 steps: 6 s per step
        p.advance(2, "residual 1e-3");
        assertEquals("solve 2 steps  6.0 s/it  residual 1e-3" + NL, out.toString());
        clock.seconds(3600);
        p.finish();
        assertTrue(out.toString().endsWith("solve: 2 steps in 1:00:12 (1806.0 s/it)  residual 1e-3" + NL), out.toString());
    }

    @Test
    void finishIsIdempotentAndReportsAfterItAreIgnored() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock();
        ConsoleProgress p = new ConsoleProgress(out, false, () -> clock.nanos);
        p.start("", 2);
        clock.seconds(1);
        p.advance(1, "");
        p.finish();
        p.finish();
        p.advance(2, "");
        assertEquals("[##########..........] 1/2  50%  1.0 it/s  ETA 0:01" + NL + "done: 1 step in 1.0 s (1.0 it/s)" + NL, out.toString());
    }

    @Test
    void aFailingOutputStopsPrintingWithoutFailingTheOperation() {
        int[] calls = {0};
        Appendable broken = new Appendable() {
            @Override
            public Appendable append(CharSequence csq) throws IOException {
                calls[0]++;
                throw new IOException("disk full");
            }

            @Override
            public Appendable append(CharSequence csq, int start, int end) throws IOException {
                return append(csq);
            }

            @Override
            public Appendable append(char c) throws IOException {
                return append("");
            }
        };
        ConsoleProgress p = new ConsoleProgress(broken, true, System::nanoTime);
        p.start("x", 3);
        p.advance(3, "");
        p.finish();
        assertEquals(1, calls[0]);
    }

    @Test
    void rejectsNegativeTotalsAndNoneIgnoresEverything() {
        ConsoleProgress p = new ConsoleProgress(new StringBuilder(), false, System::nanoTime);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.start("x", -1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        ProgressListener none = ProgressListener.none();
        none.start("x", 10);
        none.advance(5, "y");
        none.finish();
        assertThrows(IllegalArgumentException.class, () -> none.start("x", -2));
    }
}
