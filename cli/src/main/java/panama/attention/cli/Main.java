package panama.attention.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import panama.attention.AttentionException;

/**
 * The {@code ./panama-attention} command line: {@code doctor}, {@code sdpa}, {@code bench},
 * {@code run} (the default: doctor, then a quick checked bench) and {@code help}.
 *
 * <p>Every failure is one {@code error: } line on stderr and exit status 2 (the command line
 * could not be understood) or 1 (it failed); never a stack trace, unless {@code PANATTN_DEBUG=1}
 * asks for one.
 */
public final class Main {
    static final String USAGE = """
            usage: panama-attention [COMMAND] [OPTIONS]

            commands:
            run [bench options]
                The default: doctor, then a quick checked bench of every available backend.

            """ + Doctor.USAGE + "\n\n" + Sdpa.USAGE + "\n\n" + Bench.USAGE + "\n\n" + Demo.USAGE + """


            help, --help, -h
                This text.

            Options are written --name value or --name=value. Exit status: 0 success, 1 failure,
            2 a command line that could not be understood. PANATTN_DEBUG=1 prints stack traces.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs one command; returns the exit status. Never throws. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(args, out, err);
        } catch (CliException e) {
            return fail(err, e.getMessage(), e.exitCode(), e);
        } catch (NoSuchFileException e) {
            return fail(err, e.getFile() + ": no such file", CliException.RUNTIME, e);
        } catch (AccessDeniedException e) {
            return fail(err, e.getFile() + ": permission denied", CliException.RUNTIME, e);
        } catch (IOException e) {
            return fail(err, message(e), CliException.RUNTIME, e);
        } catch (IllegalArgumentException | IllegalStateException | AttentionException e) {
            // The library's messages already name the tensor and dimension.
            return fail(err, message(e), CliException.RUNTIME, e);
        } catch (OutOfMemoryError e) {
            return fail(err, "out of memory (" + message(e) + "); try smaller shapes or a larger -Xmx",
                    CliException.RUNTIME, e);
        } catch (Throwable e) {
            return fail(err, "internal error: " + e.getClass().getName() + ": " + message(e), CliException.RUNTIME, e);
        } finally {
            out.flush();
        }
    }

    private static int dispatch(String[] args, PrintStream out, PrintStream err) throws Exception {
        String command = args.length == 0 ? "run" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "help", "--help", "-h" -> {
                out.print(USAGE);
                return 0;
            }
            case "doctor" -> {
                return Doctor.run(rest, out);
            }
            case "sdpa" -> {
                return Sdpa.run(rest, out);
            }
            case "bench" -> {
                return Bench.run("bench", rest, out, err);
            }
            case "demo" -> {
                return Demo.run(rest, out, err);
            }
            case "run" -> {
                Bench.parse("run", rest); // a bad option fails before the doctor prints
                Doctor.report(out, null);
                return Bench.run("run", rest, out, err);
            }
            default -> throw CliException.usage(command.startsWith("-")
                    ? "unknown option " + command + " before a command; commands: run, doctor, sdpa, bench, demo, help"
                    : "unknown command '" + command + "'; commands: run, doctor, sdpa, bench, demo, help");
        }
    }

    private static int fail(PrintStream err, String message, int code, Throwable e) {
        err.println("error: " + Doctor.oneLine(message));
        if ("1".equals(System.getenv("PANATTN_DEBUG"))) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** A throwable's message on one line, or its class name when it has none. */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            Throwable c = e.getCause();
            return c != null && c != e ? e.getClass().getSimpleName() + ": " + message(c) : e.getClass().getSimpleName();
        }
        return Doctor.oneLine(m);
    }
}
