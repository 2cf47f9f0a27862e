import { join } from 'node:path';
import type { Service, ServiceContext } from '../http/service.js';
import { createLogService, type LogServiceOptions } from '../log/index.js';

export interface StackOptions {
  log?: LogServiceOptions;
}

/**
 * The services `signet up` runs on one server, in start order. Each gets its own directory under the data dir.
 * To add a service: import its factory and add one line here.
 */
export async function createStackServices(ctx: ServiceContext, options: StackOptions = {}): Promise<Service[]> {
  const under = (name: string): ServiceContext => ({ ...ctx, dataDir: join(ctx.dataDir, name) });
  const services: Service[] = [];
  try {
    services.push(await createLogService(under('log'), options.log));
  } catch (e) {
    for (const s of services.reverse()) await s.close();
    throw e;
  }
  return services;
}
