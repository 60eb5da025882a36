import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Turns an automatic module (a jar without {@code module-info.class}) into an explicit module in place, so
 * that jlink accepts it: jlink refuses automatic modules, and some dependencies (flatbuffers-java, which
 * Apache Arrow's IPC modules require) are only published as plain jars.
 *
 * <p>Run it with the JDK's source launcher, no build step needed:
 * <pre>
 * java build/jlink/AddModuleDescriptor.java target/modules/flatbuffers-java.jar [module path of its dependencies]
 * </pre>
 * The module keeps the name Java gives the automatic module (its {@code Automatic-Module-Name}, else the
 * name derived from the file name: {@code flatbuffers-java.jar} → {@code flatbuffers.java}), so the modules
 * that require it resolve unchanged. {@code jdeps --generate-module-info} writes the descriptor (it exports
 * every package and requires what the classes use, found on the optional module path); {@code javac
 * --patch-module} compiles it against the jar, and {@code jar --update} adds it. A jar that already has a
 * descriptor is left alone, so the step can run on every build.
 */
public final class AddModuleDescriptor {

    private AddModuleDescriptor() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java AddModuleDescriptor.java <jar> [<module path of its dependencies>]");
            System.exit(2);
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no such jar: " + jar);
        }
        List<ModuleReference> found = new ArrayList<>(ModuleFinder.of(jar).findAll());
        ModuleDescriptor d = found.getFirst().descriptor();
        if (!d.isAutomatic()) {
            System.out.println(jar.getFileName() + " already is the explicit module " + d.name());
            return;
        }
        Path work = Files.createTempDirectory("module-descriptor");
        try {
            List<String> jdeps = new ArrayList<>(List.of("--generate-module-info", work.toString()));
            if (args.length == 2) {
                jdeps.addAll(List.of("--module-path", args[1]));
            }
            jdeps.add(jar.toString());
            run("jdeps", jdeps);
            Path source = work.resolve(d.name()).resolve("module-info.java");
            if (!Files.isRegularFile(source)) {
                throw new IllegalStateException("jdeps wrote no " + source);
            }
            Path classes = work.resolve("classes");
            List<String> javac = new ArrayList<>(List.of("--patch-module", d.name() + "=" + jar, "-d", classes.toString()));
            if (args.length == 2) {
                javac.addAll(List.of("--module-path", args[1]));
            }
            javac.add(source.toString());
            run("javac", javac);
            run("jar", List.of("--update", "--file", jar.toString(), "-C", classes.toString(), "module-info.class"));
            System.out.println(jar.getFileName() + " is now the explicit module " + d.name() + ":");
            System.out.print(Files.readString(source));
        } finally {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void run(String tool, List<String> args) {
        ToolProvider t = ToolProvider.findFirst(tool).orElseThrow(() -> new IllegalStateException("this JDK has no " + tool));
        StringWriter out = new StringWriter();
        PrintWriter pw = new PrintWriter(out);
        int rc = t.run(pw, pw, args.toArray(String[]::new));
        pw.flush();
        if (rc != 0) {
            throw new IllegalStateException(tool + " " + String.join(" ", args) + " failed (" + rc + "):\n" + out);
        }
    }
}
