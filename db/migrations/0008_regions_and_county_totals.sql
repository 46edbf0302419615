-- Hand-written (issue 11): drizzle-kit's turso dialect answered this change with `ALTER COLUMN`,
-- which neither SQLite nor D1 accepts, so the two tables whose community becomes optional are
-- rebuilt the portable way and every other change is additive. A database from before this
-- migration keeps working: its communities simply have no region, its accounts no officer.
CREATE TABLE `regions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` text,
	`created_at` text NOT NULL,
	CONSTRAINT "regions_kind_parent" CHECK((`kind` = 'county' AND `parent_id` IS NULL) OR (`kind` = 'township' AND `parent_id` IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX `regions_parent_idx` ON `regions` (`parent_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `regions_sibling_name_uq` ON `regions` (`parent_id`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `regions_county_name_uq` ON `regions` (`name`) WHERE parent_id IS NULL;--> statement-breakpoint
ALTER TABLE `communities` ADD `region_id` text;--> statement-breakpoint
CREATE INDEX `communities_region_idx` ON `communities` (`region_id`);--> statement-breakpoint
-- An officer's account and session belong to a region, not a community: community_id becomes
-- nullable (a rebuild in SQLite), and users_scope holds that every account has exactly one of the two.
CREATE TABLE `__new_users` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`shop_id` text,
	`region_id` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "users_scope" CHECK((`role` = 'officer' AND `community_id` IS NULL AND `region_id` IS NOT NULL) OR (`role` <> 'officer' AND `community_id` IS NOT NULL AND `region_id` IS NULL))
);
--> statement-breakpoint
INSERT INTO `__new_users` (`id`, `community_id`, `username`, `password_hash`, `name`, `role`, `shop_id`, `region_id`, `active`, `created_at`)
SELECT `id`, `community_id`, `username`, `password_hash`, `name`, `role`, `shop_id`, NULL, `active`, `created_at` FROM `users`;--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_uq` ON `users` (`username`);--> statement-breakpoint
CREATE INDEX `users_community_idx` ON `users` (`community_id`);--> statement-breakpoint
CREATE INDEX `users_region_idx` ON `users` (`region_id`);--> statement-breakpoint
CREATE TABLE `__new_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text,
	`role` text NOT NULL,
	`user_id` text,
	`household_id` text,
	`card_id` text,
	`created_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
INSERT INTO `__new_sessions` (`id`, `community_id`, `role`, `user_id`, `household_id`, `card_id`, `created_at`, `last_seen_at`, `expires_at`, `revoked_at`)
SELECT `id`, `community_id`, `role`, `user_id`, `household_id`, `card_id`, `created_at`, `last_seen_at`, `expires_at`, `revoked_at` FROM `sessions`;--> statement-breakpoint
DROP TABLE `sessions`;--> statement-breakpoint
ALTER TABLE `__new_sessions` RENAME TO `sessions`;--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_household_idx` ON `sessions` (`household_id`);--> statement-breakpoint
-- A period that starts or ends inside a day reads that part of the day from the tables
-- themselves (api/domain/reports.ts): by community and time.
CREATE INDEX `households_created_idx` ON `households` (`community_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `applications_created_idx` ON `applications` (`community_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `objections_created_idx` ON `objections` (`community_id`,`created_at`);--> statement-breakpoint
-- Totals kept as figures move (db/schema.ts: community_days, community_day_flows,
-- community_day_categories), one row per community and China day (UTC+8).
CREATE TABLE `community_days` (
	`community_id` text NOT NULL,
	`day` text NOT NULL,
	`households` integer DEFAULT 0 NOT NULL,
	`participants` integer DEFAULT 0 NOT NULL,
	`applications` integer DEFAULT 0 NOT NULL,
	`objections` integer DEFAULT 0 NOT NULL,
	`redemptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`community_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `community_day_flows` (
	`community_id` text NOT NULL,
	`day` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer DEFAULT 0 NOT NULL,
	`household_net` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`community_id`, `day`, `kind`)
);
--> statement-breakpoint
CREATE TABLE `community_day_categories` (
	`community_id` text NOT NULL,
	`day` text NOT NULL,
	`category` text NOT NULL,
	`awarded` integer DEFAULT 0 NOT NULL,
	`deducted` integer DEFAULT 0 NOT NULL,
	`credited` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`community_id`, `day`, `category`)
);
--> statement-breakpoint
-- The history an existing database already holds, counted once, exactly as the triggers below
-- count what comes after.
INSERT INTO `community_days` (`community_id`, `day`, `households`, `participants`, `applications`, `objections`, `redemptions`)
SELECT `community_id`, `day`, SUM(`households`), SUM(`participants`), SUM(`applications`), SUM(`objections`), SUM(`redemptions`) FROM (
  SELECT `community_id`, date(`created_at`, '+8 hours') AS `day`, COUNT(*) AS `households`, 0 AS `participants`, 0 AS `applications`, 0 AS `objections`, 0 AS `redemptions`
    FROM `households` GROUP BY 1, 2
  UNION ALL
  SELECT `community_id`, date(`first_at`, '+8 hours'), 0, COUNT(*), 0, 0, 0
    FROM (SELECT `community_id`, `household_id`, MIN(`created_at`) AS `first_at` FROM `credits` WHERE `kind` = 'award' GROUP BY `community_id`, `household_id`) GROUP BY 1, 2
  UNION ALL
  SELECT `community_id`, date(`created_at`, '+8 hours'), 0, 0, COUNT(*), 0, 0 FROM `applications` GROUP BY 1, 2
  UNION ALL
  SELECT `community_id`, date(`created_at`, '+8 hours'), 0, 0, 0, COUNT(*), 0 FROM `objections` GROUP BY 1, 2
  UNION ALL
  SELECT r.`community_id`, date(r.`created_at`, '+8 hours'), 0, 0, 0, 0, COUNT(*) FROM `redemptions` r
    WHERE NOT EXISTS (SELECT 1 FROM `redemption_voids` v WHERE v.`redemption_id` = r.`id`) GROUP BY 1, 2
) GROUP BY `community_id`, `day`;--> statement-breakpoint
INSERT INTO `community_day_flows` (`community_id`, `day`, `kind`, `amount`, `household_net`)
SELECT t.`community_id`, date(t.`created_at`, '+8 hours'), t.`kind`, SUM(t.`amount`),
  SUM(CASE WHEN ca.`kind` = 'household' THEN t.`amount` ELSE 0 END) - SUM(CASE WHEN da.`kind` = 'household' THEN t.`amount` ELSE 0 END)
FROM `transfers` t
  LEFT JOIN `accounts` ca ON ca.`id` = t.`credit_account_id`
  LEFT JOIN `accounts` da ON da.`id` = t.`debit_account_id`
GROUP BY t.`community_id`, date(t.`created_at`, '+8 hours'), t.`kind`;--> statement-breakpoint
INSERT INTO `community_day_categories` (`community_id`, `day`, `category`, `awarded`, `deducted`, `credited`)
SELECT `community_id`, date(`created_at`, '+8 hours'), `category`,
  SUM(CASE WHEN `kind` = 'award' THEN `amount` ELSE 0 END), SUM(CASE WHEN `kind` = 'penalty' THEN `amount` ELSE 0 END), COUNT(*)
FROM `credits` GROUP BY `community_id`, date(`created_at`, '+8 hours'), `category`;--> statement-breakpoint
-- From now on the database keeps them, inside the transaction of each write: no code path (a
-- top-up, a redemption, an import, a void) can move a figure without its total.
CREATE TRIGGER community_days_households AFTER INSERT ON households BEGIN
  INSERT INTO community_days (community_id, day, households) VALUES (NEW.community_id, date(NEW.created_at, '+8 hours'), 1)
  ON CONFLICT (community_id, day) DO UPDATE SET households = households + 1;
END;--> statement-breakpoint
CREATE TRIGGER community_days_households_removed AFTER DELETE ON households BEGIN
  UPDATE community_days SET households = households - 1 WHERE community_id = OLD.community_id AND day = date(OLD.created_at, '+8 hours');
END;--> statement-breakpoint
CREATE TRIGGER community_days_applications AFTER INSERT ON applications BEGIN
  INSERT INTO community_days (community_id, day, applications) VALUES (NEW.community_id, date(NEW.created_at, '+8 hours'), 1)
  ON CONFLICT (community_id, day) DO UPDATE SET applications = applications + 1;
END;--> statement-breakpoint
CREATE TRIGGER community_days_objections AFTER INSERT ON objections BEGIN
  INSERT INTO community_days (community_id, day, objections) VALUES (NEW.community_id, date(NEW.created_at, '+8 hours'), 1)
  ON CONFLICT (community_id, day) DO UPDATE SET objections = objections + 1;
END;--> statement-breakpoint
CREATE TRIGGER community_days_redemptions AFTER INSERT ON redemptions BEGIN
  INSERT INTO community_days (community_id, day, redemptions) VALUES (NEW.community_id, date(NEW.created_at, '+8 hours'), 1)
  ON CONFLICT (community_id, day) DO UPDATE SET redemptions = redemptions + 1;
END;--> statement-breakpoint
-- A void takes its redemption out of the day it was made (its points come back as a reversal
-- on the day of the void, in community_day_flows).
CREATE TRIGGER community_days_redemption_voids AFTER INSERT ON redemption_voids BEGIN
  UPDATE community_days SET redemptions = redemptions - 1
  WHERE community_id = NEW.community_id AND day = (SELECT date(created_at, '+8 hours') FROM redemptions WHERE id = NEW.redemption_id);
END;--> statement-breakpoint
-- A credit adds to its category's day; an award also counts its household as taking part, from
-- its first award on.
CREATE TRIGGER community_days_credits AFTER INSERT ON credits BEGIN
  INSERT INTO community_day_categories (community_id, day, category, awarded, deducted, credited)
  VALUES (NEW.community_id, date(NEW.created_at, '+8 hours'), NEW.category,
    CASE WHEN NEW.kind = 'award' THEN NEW.amount ELSE 0 END, CASE WHEN NEW.kind = 'penalty' THEN NEW.amount ELSE 0 END, 1)
  ON CONFLICT (community_id, day, category) DO UPDATE SET awarded = awarded + excluded.awarded, deducted = deducted + excluded.deducted, credited = credited + 1;
  INSERT INTO community_days (community_id, day, participants)
  SELECT NEW.community_id, date(NEW.created_at, '+8 hours'), 1
  WHERE NEW.kind = 'award' AND NOT EXISTS (SELECT 1 FROM credits WHERE household_id = NEW.household_id AND kind = 'award' AND application_id <> NEW.application_id)
  ON CONFLICT (community_id, day) DO UPDATE SET participants = participants + 1;
END;--> statement-breakpoint
CREATE TRIGGER community_day_flows_transfers AFTER INSERT ON transfers BEGIN
  INSERT INTO community_day_flows (community_id, day, kind, amount, household_net)
  VALUES (NEW.community_id, date(NEW.created_at, '+8 hours'), NEW.kind, NEW.amount,
    CASE WHEN (SELECT kind FROM accounts WHERE id = NEW.credit_account_id) = 'household' THEN NEW.amount ELSE 0 END
    - CASE WHEN (SELECT kind FROM accounts WHERE id = NEW.debit_account_id) = 'household' THEN NEW.amount ELSE 0 END)
  ON CONFLICT (community_id, day, kind) DO UPDATE SET amount = amount + excluded.amount, household_net = household_net + excluded.household_net;
END;
