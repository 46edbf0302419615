/**
 * A county around the browser tests' world, made as a real deployment makes one: `npm run county`
 * (scripts/county.ts) creates 卢氏县 and its officer on the running server's database file and puts
 * the world's community (XXL) into it; then the officer, through the API, adds two townships,
 * moves XXL into 城关镇 and creates a second, smaller community in 东明镇 with its own admin
 * (`admin2`), who registers households there.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import type { NodeTarget } from "../../scripts/lib/server-target";
import { api, login, staffPassword, type World } from "./support";

export interface County {
  officer: string;
  countyId: string;
  cityId: string;
  eastId: string;
  first: { id: string; name: string };
  second: { id: string; name: string };
  admin2: string;
}

export async function addCounty(world: World): Promise<County> {
  const target = world.target as NodeTarget;
  const run = spawnSync(process.execPath, ["--import", "tsx", resolve("scripts/county.ts"), "--name", "卢氏县", "--officer", "officer", "--officer-name", "县乡村振兴局", "--communities", "XXL"], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: `file:${target.databaseFile}`, COUNTY_OFFICER_PASSWORD: staffPassword },
  });
  if (run.status !== 0) throw new Error(`npm run county failed:\n${run.stdout}\n${run.stderr}`);
  // The script takes seconds; the test's kept-alive connection to the server may be closed by the
  // server's idle timeout just as it is reused ("other side closed"), so a failed fetch is tried
  // once more on a new connection. A server that really died fails the second try and says why.
  const officer = await login(target, "officer")
    .catch(() => login(target, "officer"))
    .catch((error: unknown) => {
      throw new Error(`the officer could not sign in (${String(error)}); the server said:\n${target.output().slice(-4000)}`);
    });
  const countyId = (await api(target, "GET", "/regions", officer)).items[0].id as string;
  const city = await api(target, "POST", "/regions", officer, { name: "城关镇" });
  const east = await api(target, "POST", "/regions", officer, { name: "东明镇" });
  const firstRow = (await api(target, "GET", `/regions/${countyId}/overview`, officer)).communities[0];
  await api(target, "PATCH", `/communities/${firstRow.id}`, officer, { regionId: city.id });
  const second = await api(target, "POST", "/communities", officer, { name: "幸福苑社区", code: "XFY", regionId: east.id, admin: { username: "admin2", password: staffPassword, name: "周管理" } });
  const admin2 = await login(target, "admin2");
  for (let i = 1; i <= 5; i++) {
    await api(target, "POST", "/households", admin2, { householdNo: `XFY-010${i}`, headName: `幸福户${i}`, building: "3号楼", room: `10${i}`, members: [{ name: `幸福户${i}`, relation: "户主" }] });
  }
  return { officer, countyId, cityId: city.id, eastId: east.id, first: { id: firstRow.id, name: firstRow.name }, second: { id: second.id, name: second.name }, admin2 };
}
