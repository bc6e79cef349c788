import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';
import { fail } from './output';
import { onCommanderExit } from './usage';
import { protectDashOperands } from './dash-operands';

async function main(): Promise<void> {
  process.argv = protectDashOperands(process.argv);
  await CommandFactory.run(CliModule, {
    logger: false,
    errorHandler: onCommanderExit,
    serviceErrorHandler: (e) => fail(e),
    cliName: 'tessera',
  });
}

main().catch(fail);
