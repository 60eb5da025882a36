package dev.proxima.io.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

/**
 * The coverage signal of the fuzzer: which JaCoCo probes (branches and straight-line blocks) of the readers an
 * input executed, read from the JaCoCo agent the io tests run with ({@code -javaagent:…jacocoagent.jar}, see the
 * module's pom). {@link #newProbes()} reports how many probes the inputs since the previous call executed for the
 * first time in this JVM; with no agent it reports 0 and {@link #available()} is false, and the fuzzer is guided by
 * outcomes alone.
 *
 * <p>The agent's execution data is read through its public runtime API ({@code org.jacoco.agent.rt.RT},
 * {@code IAgent.getExecutionData(reset)}) and parsed here. Its format, from JaCoCo's {@code ExecutionDataWriter}
 * and {@code CompactDataOutput}: blocks, each a type byte — {@code 0x01} header (magic {@code 0xC0C0}, format
 * version, two big-endian chars), {@code 0x10} session info (UTF id, two longs), {@code 0x11} execution data
 * (long class id, UTF class name, then the probes as a boolean array: a variable-length count, 7 bits per byte
 * low first with {@code 0x80} marking continuation, then the flags packed 8 per byte, least significant bit first).
 */
final class Coverage {

    private static final Method GET_EXECUTION_DATA;
    private static final Object AGENT;
    /** Every probe executed so far, per class id. */
    private static final Map<Long, boolean[]> SEEN = new HashMap<>();
    private static int covered;

    static {
        Object agent = null;
        Method get = null;
        try {
            Class<?> rt = Class.forName("org.jacoco.agent.rt.RT", true, ClassLoader.getSystemClassLoader());
            agent = rt.getMethod("getAgent").invoke(null);
            get = Class.forName("org.jacoco.agent.rt.IAgent", true, ClassLoader.getSystemClassLoader())
                    .getMethod("getExecutionData", boolean.class);
        } catch (ReflectiveOperationException | LinkageError notRunningWithTheAgent) {
            agent = null;
            get = null;
        }
        AGENT = agent;
        GET_EXECUTION_DATA = get;
    }

    private Coverage() {
    }

    /** @return whether the JaCoCo agent is running, so that {@link #newProbes()} measures anything */
    static boolean available() {
        return AGENT != null;
    }

    /** @return the number of distinct probes executed so far in this JVM */
    static synchronized int covered() {
        return covered;
    }

    /**
     * The probes the code run since the previous call executed that no earlier input had; resets the agent's
     * counters.
     *
     * @return how many probes were executed for the first time (0 without the agent)
     */
    static synchronized int newProbes() {
        if (AGENT == null) {
            return 0;
        }
        byte[] data;
        try {
            data = (byte[]) GET_EXECUTION_DATA.invoke(AGENT, true);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("reading the JaCoCo agent's execution data failed", e);
        }
        try {
            int fresh = parse(data);
            covered += fresh;
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("malformed JaCoCo execution data", e);
        }
    }

    private static int parse(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        int fresh = 0;
        int type;
        while ((type = in.read()) != -1) {
            switch (type) {
                case 0x01 -> {
                    if (in.readChar() != 0xC0C0) {
                        throw new IOException("not JaCoCo execution data");
                    }
                    in.readChar(); // format version
                }
                case 0x10 -> {
                    in.readUTF();
                    in.readLong();
                    in.readLong();
                }
                case 0x11 -> {
                    long id = in.readLong();
                    in.readUTF();
                    int n = readVarInt(in);
                    boolean[] seen = SEEN.computeIfAbsent(id, k -> new boolean[n]);
                    int buffer = 0;
                    for (int i = 0; i < n; i++) {
                        if (i % 8 == 0) {
                            buffer = in.readUnsignedByte();
                        }
                        if ((buffer & 1) != 0 && i < seen.length && !seen[i]) {
                            seen[i] = true;
                            fresh++;
                        }
                        buffer >>>= 1;
                    }
                }
                default -> throw new IOException("unknown JaCoCo block type " + type);
            }
        }
        return fresh;
    }

    private static int readVarInt(DataInputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }
}
