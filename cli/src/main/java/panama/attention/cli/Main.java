package panama.attention.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import panama.attention.AttentionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

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

    /** The top level: a command, or nothing for {@code run}; {@code --help} and {@code -h} print the usage. */
    @Command(name = "panama-attention")
    static final class Top {
        @Option(names = {"-h", "--help"}, usageHelp = true)
        boolean help;
    }

    /** {@code help}: prints the usage. */
    @Command(name = "help")
    static final class Help {
    }

    private static final String COMMANDS = "commands: run, doctor, sdpa, bench, demo, help";

    private static int dispatch(String[] args, PrintStream out, PrintStream err) throws Exception {
        Bench.Opts run = new Bench.Opts();
        Doctor.Opts doctor = new Doctor.Opts();
        Sdpa.Opts sdpa = new Sdpa.Opts();
        Bench.Opts bench = new Bench.Opts();
        Demo.Opts demo = new Demo.Opts();
        CommandLine cl = new CommandLine(new Top());
        // Named here: run and bench share one options class, and errors name the command typed.
        for (Object[] c : new Object[][] {{"run", run}, {"doctor", doctor}, {"sdpa", sdpa}, {"bench", bench},
            {"demo", demo}, {"help", new Help()}}) {
            cl.addSubcommand((String) c[0], new CommandLine(c[1]).setCommandName((String) c[0]));
        }
        Args.configure(cl);
        CommandLine.ParseResult top;
        try {
            top = cl.parseArgs(args);
        } catch (UnmatchedArgumentException e) {
            if (e.getCommandLine() != cl || e.getUnmatched().isEmpty()) {
                throw Args.usage(e);
            }
            String first = e.getUnmatched().get(0);
            throw CliException.usage(first.startsWith("-")
                    ? "unknown option " + first + " before a command; " + COMMANDS
                    : "unknown command '" + first + "'; " + COMMANDS);
        } catch (ParameterException e) {
            throw Args.usage(e);
        }
        CommandLine.ParseResult sub = top.subcommand();
        if (top.isUsageHelpRequested() || (sub != null && sub.commandSpec().name().equals("help"))) {
            out.print(USAGE);
            return 0;
        }
        String command = sub == null ? "run" : sub.commandSpec().name();
        if (sub != null && sub.isUsageHelpRequested()) {
            out.println("usage: panama-attention " + switch (command) {
                case "doctor" -> Doctor.USAGE;
                case "sdpa" -> Sdpa.USAGE;
                case "demo" -> Demo.USAGE;
                default -> Bench.USAGE;
            });
            return 0;
        }
        return switch (command) {
            case "doctor" -> Doctor.run(doctor, out);
            case "sdpa" -> Sdpa.run(sdpa, out);
            case "bench" -> Bench.run(bench.config(command), out, err);
            case "demo" -> Demo.run(demo, out);
            default -> {
                Bench.Config c = run.config(command); // a bad option fails before the doctor prints
                Doctor.report(out, null);
                yield Bench.run(c, out, err);
            }
        };
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
