package panama.attention.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.KvDtype;
import panama.attention.measure.Workload;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the commands share on top of picocli: one way to configure a parser, converters for the
 * library's enums and for comma-separated numbers, range checks, and the mapping of picocli's
 * parse errors to the one-line usage errors (exit 2) the command line prints.
 */
final class Args {
    private Args() {
    }

    /** A parser for {@code command}: options only, {@code --name value} or {@code --name=value}. */
    static CommandLine parser(Object command) {
        return configure(new CommandLine(command));
    }

    /** Applies the settings to {@code cl} and every subcommand already added to it. */
    static CommandLine configure(CommandLine cl) {
        // '@file' is an ordinary argument here (a --text may start with '@'), never a file to expand.
        cl.setExpandAtFiles(false);
        cl.setOverwrittenOptionsAllowed(false);
        cl.setUnmatchedArgumentsAllowed(false);
        return cl;
    }

    /** Parses {@code args} into the parser's command object, or throws the usage error picocli reported. */
    static CommandLine.ParseResult parse(CommandLine cl, String[] args) throws CliException {
        try {
            return cl.parseArgs(args);
        } catch (ParameterException e) {
            throw usage(e);
        }
    }

    /** picocli's parse error as one line naming the command and the option. */
    static CliException usage(ParameterException e) {
        String command = e.getCommandLine().getCommandName();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            return CliException.usage(arg.startsWith("-")
                    ? command + ": unknown option " + optionName(arg) + " (see 'help')"
                    : command + ": unexpected argument '" + arg + "' (options are --name value)");
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec spec = m.getMissing().get(0);
            if (spec instanceof OptionSpec o) {
                // picocli says "Missing required parameter for option" when the value is what is missing.
                return CliException.usage(command + ": " + (e.getMessage().startsWith("Missing required parameter")
                        ? "option " + o.longestName() + " needs a value"
                        : "missing required option " + o.longestName()));
            }
        }
        String m = Doctor.oneLine(e.getMessage()); // "Invalid value for option '--seq': ..." reads on after "bench: "
        return CliException.usage(command + ": " + (m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1)));
    }

    private static String optionName(String arg) {
        int eq = arg.indexOf('=');
        return eq > 0 ? arg.substring(0, eq) : arg;
    }

    /** {@code none}, {@code top-left}, {@code bottom-right}: how enums are spelled on the command line. */
    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A whole number at least {@code min}. */
    static int atLeast(String command, String option, int value, int min) throws CliException {
        if (value < min) {
            throw CliException.usage(command + ": " + option + " is " + value + ", must be at least " + min);
        }
        return value;
    }

    /** Each of a list of whole numbers at least {@code min}. */
    static List<Integer> atLeast(String command, String option, List<Integer> values, int min) throws CliException {
        for (int v : values) {
            atLeast(command, option, v, min);
        }
        return values;
    }

    /** A converter whose {@link IllegalArgumentException} message becomes picocli's conversion error. */
    private static <T> T convert(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static final class CausalConverter implements ITypeConverter<CausalMode> {
        @Override
        public CausalMode convert(String value) {
            return Args.convert(value, CausalMode::parse);
        }
    }

    static final class BackendConverter implements ITypeConverter<Backend> {
        @Override
        public Backend convert(String value) {
            return Args.convert(value, Backend::parse);
        }
    }

    static final class IsaConverter implements ITypeConverter<CpuIsa> {
        @Override
        public CpuIsa convert(String value) {
            return Args.convert(value, Workload::parseIsa);
        }
    }

    /** {@code fp32} or {@code bf16}: how the softmax weights enter P·V. */
    static final class WeightsConverter implements ITypeConverter<panama.attention.WeightPrecision> {
        @Override
        public panama.attention.WeightPrecision convert(String value) {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "fp32" -> panama.attention.WeightPrecision.FP32;
                case "bf16" -> panama.attention.WeightPrecision.BF16;
                default -> throw new TypeConversionException("'" + value + "' is neither fp32 nor bf16");
            };
        }
    }

    static final class DtypeConverter implements ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            return Args.convert(value, Workload::parseDtype);
        }
    }

    /** A finite float: {@code inf} or {@code NaN} make no sense as a softmax scale. */
    static final class FiniteFloatConverter implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            float f;
            try {
                f = Float.parseFloat(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number");
            }
            if (!Float.isFinite(f)) {
                throw new TypeConversionException("must be a finite number, got '" + value + "'");
            }
            return f;
        }
    }

    /** A sliding window: keys left and right of the diagonal a row sees, -1 for an unbounded side. */
    record Window(int left, int right) {
    }

    /** {@code L,R}: two whole numbers, each -1 (unbounded) or more. */
    static final class WindowConverter implements ITypeConverter<Window> {
        @Override
        public Window convert(String value) {
            String[] parts = value.split(",", -1);
            if (parts.length != 2) {
                throw new TypeConversionException("'" + value + "' is not L,R (two whole numbers, -1 for unbounded)");
            }
            int[] lr = new int[2];
            for (int i = 0; i < 2; i++) {
                try {
                    lr[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + value + "' is not L,R (two whole numbers, -1 for unbounded)");
                }
                if (lr[i] < -1) {
                    throw new TypeConversionException("'" + value + "': each side must be >= -1 (-1: unbounded)");
                }
            }
            return new Window(lr[0], lr[1]);
        }
    }

    /**
     * A comma-separated list of whole numbers, one option value (so picocli refuses the option
     * given twice, as for any other single-valued option).
     */
    record IntList(List<Integer> values) {
    }

    /** {@code 256,512,1024}: every part a whole number (spaces around a part are allowed). */
    static final class IntListConverter implements ITypeConverter<IntList> {
        @Override
        public IntList convert(String value) {
            List<Integer> out = new ArrayList<>();
            for (String part : value.split(",", -1)) {
                try {
                    out.add(Integer.parseInt(part.trim()));
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + value + "' is not a comma-separated list of whole numbers");
                }
            }
            return new IntList(List.copyOf(out));
        }
    }

    /** K/V element types, one option value: {@code f32,i8}. */
    record KvDtypeList(List<KvDtype> values) {
    }

    /** {@code f32|f16|bf16|i8}, comma-separated, each at most once. */
    static final class KvDtypeListConverter implements ITypeConverter<KvDtypeList> {
        @Override
        public KvDtypeList convert(String value) {
            List<KvDtype> out = new ArrayList<>();
            for (String part : value.split(",", -1)) {
                KvDtype t = parseKvDtype(part.trim());
                if (out.contains(t)) {
                    throw new TypeConversionException("'" + value + "' names " + lower(t) + " twice");
                }
                out.add(t);
            }
            return new KvDtypeList(List.copyOf(out));
        }

        private static KvDtype parseKvDtype(String name) {
            for (KvDtype t : KvDtype.values()) {
                if (lower(t).equals(name.toLowerCase(java.util.Locale.ROOT))) {
                    return t;
                }
            }
            throw new TypeConversionException("unknown K/V dtype '" + name + "' (expected f32, f16, bf16 or i8)");
        }
    }
}
