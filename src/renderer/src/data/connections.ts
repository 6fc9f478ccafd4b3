import type { ConnectionInput, ConnectionProfile, ConnectionVerdict } from '../../../shared/domain'
import type { ChannelInput, ChannelOutput } from '../../../shared/ipc'
import { call } from '../platform'

/** Saved connection profiles and the demo offer. Secrets go in, never come back. */
export function listConnections(): Promise<ConnectionProfile[]> {
  return call('connections.list')
}

export function saveConnection(input: ConnectionInput): Promise<ConnectionProfile> {
  return call('connections.save', input)
}

export async function removeConnection(id: string): Promise<boolean> {
  return (await call('connections.remove', { id })).removed
}

export function testConnection(
  target: { id: string } | ConnectionInput
): Promise<ConnectionVerdict> {
  return call('connections.test', target)
}

export type DemoOffer = NonNullable<ChannelOutput<'connections.demo'>>

export function demoOffer(): Promise<DemoOffer | null> {
  return call('connections.demo')
}

export function addDemoConnection(): Promise<ConnectionProfile> {
  return call('connections.addDemo')
}

export function secretStorage(): Promise<ChannelOutput<'secrets.status'>> {
  return call('secrets.status')
}

export async function findProjects(
  lookup: ChannelInput<'connections.findProjects'>
): Promise<{ id: string; name: string }[]> {
  return (await call('connections.findProjects', lookup)).projects
}
