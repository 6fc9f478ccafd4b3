import type { EventName } from '../../shared/channels'
import { events, type EventPayload } from '../../shared/ipc'

type Sink = (event: EventName, payload: unknown) => void

/** Main-to-renderer events: validated once here, delivered by each transport's sink. */
export class EventHub {
  private readonly sinks = new Set<Sink>()

  subscribe(sink: Sink): () => void {
    this.sinks.add(sink)
    return () => this.sinks.delete(sink)
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const value = events[event].parse(payload)
    for (const sink of this.sinks) sink(event, value)
  }
}
