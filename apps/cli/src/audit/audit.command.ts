import { Command } from 'nest-commander';
import { CommandGroup } from '../options';
import { AuditTailCommand } from './audit-tail.command';

@Command({ name: 'audit', description: 'the audit trail', subCommands: [AuditTailCommand] })
export class AuditCommand extends CommandGroup {}
