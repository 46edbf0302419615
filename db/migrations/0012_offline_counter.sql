CREATE TABLE `offline_packs` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`shop_id` text NOT NULL,
	`device_id` text NOT NULL,
	`clerk_id` text NOT NULL,
	`issued_at` text NOT NULL,
	`valid_until` text NOT NULL,
	`per_redemption` integer NOT NULL,
	`per_device` integer NOT NULL,
	`spent` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "offline_pack_device_cap" CHECK("offline_packs"."spent" >= 0 AND "offline_packs"."spent" <= "offline_packs"."per_device")
);
--> statement-breakpoint
CREATE INDEX `offline_packs_device_idx` ON `offline_packs` (`shop_id`,`device_id`,`issued_at`);--> statement-breakpoint
CREATE TABLE `offline_redemptions` (
	`redemption_id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`pack_id` text NOT NULL,
	`device_id` text NOT NULL,
	`seq` integer NOT NULL,
	`made_at` text NOT NULL,
	`total` integer NOT NULL,
	`debited` integer NOT NULL,
	`shortfall` integer NOT NULL,
	`card_flag` text,
	`request_hash` text NOT NULL,
	`synced_at` text NOT NULL,
	CONSTRAINT "offline_redemptions_amounts" CHECK("offline_redemptions"."debited" >= 0 AND "offline_redemptions"."shortfall" >= 0 AND "offline_redemptions"."debited" + "offline_redemptions"."shortfall" = "offline_redemptions"."total")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `offline_redemptions_seq_uq` ON `offline_redemptions` (`pack_id`,`device_id`,`seq`);--> statement-breakpoint
CREATE TABLE `offline_shortfall_resolutions` (
	`shortfall_id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`action` text NOT NULL,
	`note` text NOT NULL,
	`resolved_by` text NOT NULL,
	`resolved_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `offline_shortfalls` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`kind` text NOT NULL,
	`redemption_id` text NOT NULL,
	`household_id` text,
	`goods_id` text,
	`amount` integer NOT NULL,
	`remaining` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "offline_shortfalls_amounts" CHECK("offline_shortfalls"."amount" > 0 AND "offline_shortfalls"."remaining" >= 0 AND "offline_shortfalls"."remaining" <= "offline_shortfalls"."amount")
);
--> statement-breakpoint
CREATE INDEX `offline_shortfalls_community_idx` ON `offline_shortfalls` (`community_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `offline_shortfalls_household_idx` ON `offline_shortfalls` (`household_id`,`status`);--> statement-breakpoint
ALTER TABLE `communities` ADD `offline_window_hours` integer DEFAULT 24 NOT NULL;--> statement-breakpoint
ALTER TABLE `communities` ADD `offline_per_redemption_max` integer DEFAULT 50 NOT NULL;--> statement-breakpoint
ALTER TABLE `communities` ADD `offline_per_device_max` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `goods` ADD `barcode` text;--> statement-breakpoint
CREATE UNIQUE INDEX `goods_shop_barcode_uq` ON `goods` (`shop_id`,`barcode`) WHERE barcode IS NOT NULL;--> statement-breakpoint
-- Recovery of an offline shortfall (issue 14, docs/offline.md): each award credited to a household
-- with a shortfall being recovered first pays the oldest one as far as the balance goes, in the
-- top-up's own transaction: a redemption transfer household → shop (cause shortfall:<id>:<application>).
CREATE TRIGGER offline_shortfall_recovery AFTER INSERT ON credits
WHEN NEW.kind = 'award' AND EXISTS (SELECT 1 FROM offline_shortfalls WHERE household_id = NEW.household_id AND status = 'recovering')
BEGIN
  INSERT INTO transfers (id, community_id, debit_account_id, credit_account_id, amount, kind, cause, ref, created_by, created_at)
  SELECT 'recovery:' || NEW.application_id, s.community_id, s.household_id, r.shop_id, MIN(s.remaining, a.balance), 'redemption',
    'shortfall:' || s.id || ':' || NEW.application_id, s.id, 'system:recovery', NEW.created_at
  FROM offline_shortfalls s JOIN accounts a ON a.id = s.household_id JOIN redemptions r ON r.id = s.redemption_id
  WHERE s.id = (SELECT id FROM offline_shortfalls WHERE household_id = NEW.household_id AND status = 'recovering' ORDER BY created_at, id LIMIT 1)
    AND MIN(s.remaining, a.balance) > 0;
  UPDATE accounts SET balance = balance - (SELECT amount FROM transfers WHERE id = 'recovery:' || NEW.application_id)
  WHERE id = NEW.household_id AND EXISTS (SELECT 1 FROM transfers WHERE id = 'recovery:' || NEW.application_id);
  UPDATE accounts SET balance = balance + (SELECT amount FROM transfers WHERE id = 'recovery:' || NEW.application_id)
  WHERE id = (SELECT credit_account_id FROM transfers WHERE id = 'recovery:' || NEW.application_id);
  INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
  SELECT t.community_id, t.id, a.id, -t.amount, a.balance, t.kind, t.ref, t.created_at
  FROM transfers t JOIN accounts a ON a.id = t.debit_account_id WHERE t.id = 'recovery:' || NEW.application_id;
  INSERT INTO postings (community_id, transfer_id, account_id, amount, balance_after, kind, ref, created_at)
  SELECT t.community_id, t.id, a.id, t.amount, a.balance, t.kind, t.ref, t.created_at
  FROM transfers t JOIN accounts a ON a.id = t.credit_account_id WHERE t.id = 'recovery:' || NEW.application_id;
  UPDATE offline_shortfalls
  SET remaining = remaining - (SELECT amount FROM transfers WHERE id = 'recovery:' || NEW.application_id),
      status = CASE WHEN remaining - (SELECT amount FROM transfers WHERE id = 'recovery:' || NEW.application_id) = 0 THEN 'recovered' ELSE status END
  WHERE id = (SELECT ref FROM transfers WHERE id = 'recovery:' || NEW.application_id);
END;
