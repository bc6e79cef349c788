import { Command, CommandRunner } from 'nest-commander';
import { AuditTailCommand } from './audit-tail.command';

@Command({ name: 'audit', description: 'the audit trail', subCommands: [AuditTailCommand] })
export class AuditCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
