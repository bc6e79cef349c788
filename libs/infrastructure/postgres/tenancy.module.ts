import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DI } from '@tessera/application/di-tokens';
import { DatabaseModule } from './database.module';
import { overDataSource, overTransactions } from './providers';
import { TypeOrmMembershipRepository } from './repositories/typeorm-membership-repository.adapter';
import { TypeOrmTenantDirectory } from './repositories/typeorm-tenant-directory.adapter';
import { TypeOrmUserRepository } from './repositories/typeorm-user-repository.adapter';
import { TenantTransactions } from './tenant-transaction';

/** Tenancy repositories over the app role's pool; every query goes through TenantTransactions. */
@Global()
@Module({
  imports: [DatabaseModule],
  providers: [
    { provide: DI.DataSource, useExisting: DataSource },
    overDataSource(DI.TenantTransactions, TenantTransactions),
    overTransactions(DI.Tenants, TypeOrmTenantDirectory),
    overTransactions(DI.Users, TypeOrmUserRepository),
    overTransactions(DI.Memberships, TypeOrmMembershipRepository),
  ],
  exports: [DI.DataSource, DI.TenantTransactions, DI.Tenants, DI.Users, DI.Memberships],
})
export class TenancyModule {}
