import type { Statement } from 'better-sqlite3'
import type { Db } from './db'

/** Prepared statements, made once per SQL text: preparing costs more than most of our queries. */
export class Statements {
  private readonly prepared = new Map<string, Statement>()

  constructor(readonly db: Db) {}

  get(text: string): Statement {
    let statement = this.prepared.get(text)
    if (!statement) {
      statement = this.db.prepare(text)
      this.prepared.set(text, statement)
    }
    return statement
  }

  /** Every SQL text prepared so far: the query-plan test checks each one. */
  texts(): string[] {
    return [...this.prepared.keys()]
  }
}
