/**
 * A county and its first officer on a deployment (issue 11): nobody is above a county, so no
 * officer can create one through the API. Everything after — townships, township officers,
 * communities — the officer does in the app (`POST /api/regions`, `/api/users`, `/api/communities`).
 *
 *   COUNTY_OFFICER_PASSWORD='…' npm run county -- --name 卢氏县 --officer officer [--officer-name 县乡村振兴局] [--communities XXL,ABC]
 *
 * The password may also be given as `--password …` (it then stays in the shell's history).
 * `--communities` puts communities that lie in no region yet (a deployment from before regions)
 * into the new county; a community already in a region stays where it is. Works on the file or
 * remote libSQL database at DATABASE_URL, migrating it first. Exit codes: 0 done, 1 refused (name
 * or username taken, a community not placed), 2 bad usage.
 */
import { parseArgs } from "node:util";
import { systemClock } from "../api/domain/clock";
import { DomainError } from "../api/domain/errors";
import { createCounty, placeCommunities } from "../api/domain/regions";
import { openDatabase } from "../db/migrate-node";
import { limits } from "../shared/limits";
import { regionLimits } from "../shared/regions";

function refuse(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

const { values } = parseArgs({
  options: {
    name: { type: "string" },
    officer: { type: "string" },
    "officer-name": { type: "string" },
    password: { type: "string" },
    communities: { type: "string" },
  },
});
const name = values.name?.trim() ?? "";
const username = values.officer ?? "";
const password = values.password ?? process.env.COUNTY_OFFICER_PASSWORD ?? "";
const usage = "usage: COUNTY_OFFICER_PASSWORD='…' npm run county -- --name 卢氏县 --officer officer [--officer-name 县乡村振兴局] [--communities XXL,ABC]";
if (!name || name.length > regionLimits.regionNameLengthMax) refuse(`--name: the county's name (1–${regionLimits.regionNameLengthMax} characters)\n${usage}`);
if (!/^[a-zA-Z0-9_.-]+$/.test(username) || username.length < limits.usernameLengthMin || username.length > limits.usernameLengthMax) {
  refuse(`--officer: the officer's username (${limits.usernameLengthMin}–${limits.usernameLengthMax} letters, digits, _ . -)\n${usage}`);
}
if (password.length < limits.passwordLengthMin || password.length > limits.passwordLengthMax) {
  refuse(`the officer's password (COUNTY_OFFICER_PASSWORD or --password) needs ${limits.passwordLengthMin}–${limits.passwordLengthMax} characters\n${usage}`);
}
const codes = (values.communities ?? "").split(",").map((c) => c.trim()).filter(Boolean);

const url = process.env.DATABASE_URL ?? "file:data/shuangfu.db";
const { db, close } = await openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
try {
  const { regionId, officerId } = await createCounty(db, systemClock, { name, officer: { username, password, name: values["officer-name"]?.trim() || `${name}乡村振兴局` } });
  console.log(`County ${name} (${regionId}) with its officer ${username} (${officerId}) in ${url}.`);
  if (codes.length > 0) {
    const { placed, refused } = await placeCommunities(db, regionId, codes);
    if (placed.length) console.log(`In ${name} now: ${placed.join(", ")}.`);
    if (refused.length) {
      console.error(`Not placed (unknown code, or already in a region): ${refused.join(", ")}.`);
      process.exitCode = 1;
    }
  }
} catch (err) {
  if (err instanceof DomainError && err.code === "DUPLICATE") refuse(`Nothing created: ${Object.values((err.details?.fields ?? {}) as Record<string, string>).join("; ")}.`, 1);
  throw err;
} finally {
  close();
}
