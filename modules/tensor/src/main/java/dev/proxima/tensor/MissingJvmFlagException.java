package dev.proxima.tensor;

import java.lang.reflect.InaccessibleObjectException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM was started without a flag Proxima needs: the message names the exact flag to add to the
 * {@code java} command line. Thrown instead of the {@link ExceptionInInitializerError}, the
 * {@link NoClassDefFoundError} or the file-format error the missing flag would otherwise cause.
 *
 * <p>The flags (see the README's flag list):
 * <ul>
 *   <li>{@code --enable-native-access=dev.proxima.blas,dev.proxima.tensor,…} (or {@code ALL-UNNAMED} on the
 *       class path) for every module that calls native code: without it a JVM started with
 *       {@code --illegal-native-access=deny} (the announced future default) refuses the call;</li>
 *   <li>{@code --add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED} for Arrow IPC files:
 *       Arrow wraps its buffers as NIO buffers through a private constructor of {@code java.nio}.</li>
 * </ul>
 *
 * {@snippet :
 * try {
 *     Tensor t = Tensor.zeros(DType.F32, 3);
 * } catch (MissingJvmFlagException e) {
 *     System.err.println("restart with " + e.flag());   // --enable-native-access=dev.proxima.tensor
 * }
 * }
 */
public final class MissingJvmFlagException extends IllegalStateException {

    private static final Pattern NATIVE_ACCESS = Pattern.compile("Illegal native access from (?:module ([\\w.$]+)|(unnamed module))");
    private static final Pattern OPENS = Pattern.compile("module ([\\w.]+) does not \"opens ([\\w.]+)\" to (?:module ([\\w.]+)|(unnamed module))");
    private static final String ARROW_OPENS = "--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED";

    /** The flag to add, exactly as it goes on the command line. */
    private final String flag;
    /** What needs the flag. */
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param flag   the flag to add, exactly as it goes on the command line, e.g.
     *               {@code --enable-native-access=dev.proxima.io}
     * @param reason what needs the flag, e.g. {@code "module dev.proxima.io calls native code"}
     * @param cause  the failure the missing flag caused, or null
     * @throws IllegalArgumentException if {@code flag} does not start with {@code --} or {@code reason} is blank
     */
    public MissingJvmFlagException(String flag, String reason, Throwable cause) {
        super(message(flag, reason), cause);
        this.flag = flag;
        this.reason = reason;
    }

    private static String message(String flag, String reason) {
        if (flag == null || !flag.startsWith("--")) {
            throw new IllegalArgumentException("a JVM flag starts with --, got " + flag);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("the reason for JVM flag " + flag + " must not be blank");
        }
        return "add " + flag + " to the java command line: " + reason;
    }

    /**
     * The flag to add.
     *
     * @return the flag exactly as it goes on the command line
     */
    public String flag() {
        return flag;
    }

    /**
     * What needs the flag.
     *
     * @return the reason, e.g. {@code "module dev.proxima.io calls native code, …"}
     */
    public String reason() {
        return reason;
    }

    /**
     * Recognises a failure caused by a missing JVM flag: a native call refused to a module without native
     * access ({@link IllegalCallerException} "Illegal native access from module …", also inside an
     * {@link ExceptionInInitializerError} or {@link NoClassDefFoundError}), a package not opened to a module
     * ({@link InaccessibleObjectException}), or Arrow's report that it cannot wrap memory as NIO buffers.
     *
     * @param failure an exception, with its causes
     * @return the exception naming the flag, with {@code failure} as its cause; empty if no missing flag
     *         explains {@code failure}
     */
    public static Optional<MissingJvmFlagException> diagnose(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            String text = String.valueOf(t.getMessage());
            Matcher nativeAccess = NATIVE_ACCESS.matcher(text);
            if (nativeAccess.find()) {
                String module = nativeAccess.group(1) != null ? nativeAccess.group(1) : "ALL-UNNAMED";
                return Optional.of(new MissingJvmFlagException("--enable-native-access=" + module,
                        (module.equals("ALL-UNNAMED") ? "code on the class path" : "module " + module)
                                + " calls native code, and this JVM denies native access to modules the flag does not name",
                        failure));
            }
            Matcher opens = OPENS.matcher(text);
            if (t instanceof InaccessibleObjectException && opens.find()) {
                String target = opens.group(3) != null ? opens.group(3) : "ALL-UNNAMED";
                String flag = "--add-opens=" + opens.group(1) + "/" + opens.group(2) + "=" + target;
                if (target.equals("org.apache.arrow.memory.core") && opens.group(2).equals("java.nio")) {
                    flag = ARROW_OPENS;
                }
                return Optional.of(new MissingJvmFlagException(flag, (target.equals("ALL-UNNAMED") ? "code on the class path"
                        : "module " + target) + " needs deep reflection into package " + opens.group(2), failure));
            }
            if (text.contains("DirectByteBuffer.<init>(long, int) not available") || text.contains("Failed to initialize MemoryUtil")) {
                return Optional.of(new MissingJvmFlagException(ARROW_OPENS,
                        "Apache Arrow wraps its buffers as NIO buffers through a private constructor of java.nio", failure));
            }
        }
        return Optional.empty();
    }
}
