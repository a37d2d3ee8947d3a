package panama.attention;
import org.junit.jupiter.api.Test;
class TmpDebugTest {
    @Test
    void debug() {
        SdpaFuzzCase.Source zeros = new SdpaFuzzCase.Source() {
            public int intIn(int lo, int hi) { return lo; }
            public boolean bool() { return false; }
            public long seed() { return 0; }
        };
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) SdpaFuzzCase.run(zeros);
            System.out.println("DBG 20 zero cases: " + (System.nanoTime() - t0) / 1e6 + " ms");
        }
    }
}
