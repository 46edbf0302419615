/**
 * Limits and defaults shared by the API, the schemas and the web app.
 * Names carry their unit last (TIGER_STYLE): `publicityDaysDefault`, `pinAttemptsMax`.
 */
export const limits = {
  usernameLengthMin: 3,
  usernameLengthMax: 32,
  passwordLengthMin: 10,
  passwordLengthMax: 128,
  nameLengthMax: 40,
  titleLengthMax: 100,
  textLengthMax: 2000,
  reasonLengthMax: 500,
  householdNoLengthMax: 32,
  buildingLengthMax: 20,
  phoneLengthMax: 20,
  /** A phone number once reduced to digits: 7 (local landline) to 15 (E.164 maximum). */
  phoneDigitsMin: 7,
  phoneDigitsMax: 15,
  unitLengthMax: 20,
  roomLengthMax: 20,
  relationLengthMax: 20,
  householdTypeLengthMax: 20,
  /** Free-text search (`?q=`) on lists. */
  searchLengthMax: 50,
  membersMax: 20,
  /** Evidence is a short note, a link, or a small photo as a data URL (shrunk by the web app). */
  evidenceMax: 3,
  evidenceItemLengthMax: 60_000,
  /** Body limit of `POST /applications`, which may carry the evidence photos. */
  applicationBytesMax: 256 * 1024,
  ruleIdsMax: 50,
  pinDigitsMin: 4,
  pinDigitsMax: 6,
  pinAttemptsMax: 5,
  pinLockoutMinutes: 15,
  loginAttemptsMax: 10,
  loginLockoutMinutes: 15,
  /** Failed sign-ins (staff or card) from one client address per window, across all accounts. */
  addressFailuresMax: 30,
  addressWindowMinutes: 15,
  /** A resident's one-time code (shown on the phone instead of the printed card). */
  cardCodeSeconds: 60,
  pointsPerItemMax: 10_000,
  goodsPointsMax: 100_000,
  stockMax: 1_000_000,
  stockDeltaMax: 100_000,
  /** 进货 (stock-in): one delivery's quantity, one unit's cost in fen, how many days back its date may be. */
  stockInQuantityMax: 100_000,
  unitCostFenMax: 10_000_000,
  stockInBackdateDaysMax: 31,
  supplierLengthMax: 60,
  /** The stock ledger (库存台账): its longest period, and the stock-in records one answer lists. */
  stockLedgerDaysMax: 366,
  stockLedgerReceiptsMax: 2_000,
  basketLinesMax: 30,
  basketQuantityMax: 99,
  idempotencyKeyLengthMax: 100,
  qrLengthMax: 500,
  /**
   * Households one card batch (bulk issue) takes: each card's random PIN is hashed with PBKDF2
   * at full strength (about 30–50 ms of CPU each), so a batch of 100 takes a few seconds; the web
   * app sends a bigger selection as several batches.
   */
  cardBatchHouseholdsMax: 100,
  listLimitDefault: 50,
  listLimitMax: 200,
  bodyBytesMax: 64 * 1024,
  importBytesMax: 5 * 1024 * 1024,
  /**
   * Households and members one import writes. The write is one batch (all or nothing), and on an
   * embedded file the driver runs it on the event loop: every other request waits for it. 3,000
   * households of 4 take a few tenths of a second; 20,000 took seconds. 兴贤里 has 2,749
   * households; a bigger roster goes in several files.
   */
  importRowsMax: 3_000,
  importMembersMax: 15_000,
  /**
   * Checked while an XLSX file is unzipped, before anything parses it (a 100 KB "zip bomb" can
   * unpack to 100 MB): what the archive unpacks to (a 3,000-row sheet is about 2 MB), its
   * worksheets, and the rows of a sheet or lines of a CSV file, blank ones included (twice
   * importRowsMax: Excel keeps formatted empty rows below the data).
   */
  importUnpackedBytesMax: 16 * 1024 * 1024,
  importSheetsMax: 20,
  importSheetRowsMax: 6_000,
  /** Node reads import files in a worker thread with this heap and time (api/import-thread.ts). */
  importThreadHeapMbMax: 512,
  importThreadSecondsMax: 60,
  /** Problems listed in one IMPORT_INVALID answer; enough for one per row of the largest file. */
  importProblemsMax: 20_000,
  publicityDaysDefault: 5,
  publicityDaysMin: 1,
  publicityDaysMax: 30,
  /** A publicity window may be set up to this many days long by an explicit `endsAt`. */
  publicityWindowDaysMax: 60,
  minPublicityHoursMax: 720,
  pinThresholdMax: 100_000,
  dailyRedemptionCapMax: 1_000_000,
  minPublicityHoursDefault: 72,
  pinThresholdDefault: 50,
  /** The offline counter (issue 14): a pack's window, the per-device cap's ceiling, how far ahead a device's clock may run. */
  offlineWindowHoursDefault: 24,
  offlineWindowHoursMax: 72,
  offlinePerDeviceMaxMax: 1_000_000,
  offlineClockSkewMinutes: 10,
  /** PBKDF2 iterations: Cloudflare Workers refuse more than 100,000. */
  pbkdf2Iterations: 100_000,
  staffSessionIdleHours: 12,
  staffSessionAbsoluteHours: 24 * 7,
  residentSessionIdleHours: 24 * 30,
  residentSessionAbsoluteHours: 24 * 90,
  /** Family helpers (亲情代理) a household may have at once (the schema's slot CHECK says 3 too). */
  helpersPerHouseholdMax: 3,
  /** A helper code as typed: 16 characters, dashes and spaces allowed. */
  helperCodeLengthMax: 40,
  /** Helper sign-ins the household's page lists. */
  helperSignInsShown: 20,
  /** Entries one household statement may hold; a longer period → 400 STATEMENT_TOO_LONG. */
  statementEntriesMax: 2000,
} as const;
