/**
 * Points for a test or the bench without the seven procedures: one real ledger transfer from
 * the community's issuance account, of kind `adjustment` (the kind the v1 contract names for
 * a correction), so every balance and the ledger check stay true.
 */
import type { Db } from "../../db/client";
import { newId } from "../../api/domain/clock";
import { issuanceAccountId, transferStatements, type Statement } from "../../api/domain/ledger";

export async function grantPoints(db: Db, communityId: string, householdId: string, amount: number, at = new Date().toISOString()) {
  const id = newId();
  await db.batch(
    transferStatements(db, {
      id,
      communityId,
      debitAccountId: issuanceAccountId(communityId),
      creditAccountId: householdId,
      amount,
      kind: "adjustment",
      cause: `fixture:${id}`,
      ref: "fixture",
      createdBy: "system",
      at,
    }) as [Statement, ...Statement[]],
  );
  return id;
}

