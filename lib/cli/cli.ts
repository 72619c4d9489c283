import { analyzeCommand } from './analyze-command';
import { CliCommand, CliIo, EXIT, packageInfo, PROGRAM, UsageError } from './command';
import { graphCommand } from './graph-command';

export type { CliCommand, CliIo } from './command';
export { EXIT } from './command';

/** The commands, by name; a new one is one more entry. */
const COMMANDS: readonly CliCommand[] = [analyzeCommand, graphCommand];

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `usage: ${PROGRAM} <command> [options]`,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options.`,
    '',
  ].join('\n');
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves to the exit code; it
 * never throws for bad input: usage errors print one line on stderr and give exit code 2.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(mainUsage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${packageInfo().version}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(
      `${PROGRAM}: unknown command "${name}": expected one of ${COMMANDS.map((c) => c.name).join(', ')} (see --help)\n`,
    );
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage);
    return EXIT.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${PROGRAM} ${command.name}: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}
