import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DI } from '@tessera/application/di-tokens';
import type { TenantTransactions } from './tenant-transaction';

/** Binds `provide` to an adapter built on TenantTransactions alone (every query RLS-scoped). */
export const overTransactions = <T>(
  provide: InjectionToken,
  Adapter: new (tx: TenantTransactions) => T,
): FactoryProvider<T> => ({
  provide,
  inject: [DI.TenantTransactions],
  useFactory: (tx: TenantTransactions) => new Adapter(tx),
});

/** Binds `provide` to an adapter built on the app role's DataSource alone. */
export const overDataSource = <T>(
  provide: InjectionToken,
  Adapter: new (ds: DataSource) => T,
): FactoryProvider<T> => ({
  provide,
  inject: [DataSource],
  useFactory: (ds: DataSource) => new Adapter(ds),
});
