CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`kind` text NOT NULL,
	`balance` integer DEFAULT 0 NOT NULL,
	`score` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "account_balance_nonneg" CHECK("accounts"."kind" = 'issuance' OR "accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE INDEX `accounts_community_idx` ON `accounts` (`community_id`,`kind`);--> statement-breakpoint
CREATE TABLE `application_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` text NOT NULL,
	`application_id` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor` text NOT NULL,
	`note` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `application_events_app_idx` ON `application_events` (`application_id`);--> statement-breakpoint
CREATE TABLE `applications` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`household_id` text NOT NULL,
	`member_id` text,
	`rule_id` text NOT NULL,
	`notice_id` text,
	`kind` text NOT NULL,
	`category` text NOT NULL,
	`description` text NOT NULL,
	`evidence` text NOT NULL,
	`status` text NOT NULL,
	`points` integer,
	`register_no` integer,
	`reason` text,
	`submitted_by` text NOT NULL,
	`submitted_by_role` text NOT NULL,
	`decided_by` text,
	`created_at` text NOT NULL,
	`decided_at` text
);
--> statement-breakpoint
CREATE INDEX `applications_status_idx` ON `applications` (`community_id`,`status`);--> statement-breakpoint
CREATE INDEX `applications_household_idx` ON `applications` (`household_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` text NOT NULL,
	`actor` text NOT NULL,
	`actor_role` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`details` text,
	`ip` text,
	`user_agent` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_community_idx` ON `audit_log` (`community_id`,`seq`);--> statement-breakpoint
CREATE TABLE `cards` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`household_id` text NOT NULL,
	`card_no` text NOT NULL,
	`version` integer NOT NULL,
	`pin_hash` text NOT NULL,
	`status` text NOT NULL,
	`failed_pins` integer DEFAULT 0 NOT NULL,
	`locked_until` text,
	`issued_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cards_no_uq` ON `cards` (`card_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `cards_one_active_uq` ON `cards` (`household_id`) WHERE status = 'active';--> statement-breakpoint
CREATE TABLE `communities` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`code` text NOT NULL,
	`publicity_days` integer NOT NULL,
	`min_publicity_hours` integer NOT NULL,
	`pin_threshold` integer NOT NULL,
	`daily_redemption_cap` integer,
	`auto_top_up` integer DEFAULT false NOT NULL,
	`card_secret` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `communities_code_unique` ON `communities` (`code`);--> statement-breakpoint
CREATE TABLE `credits` (
	`application_id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`top_up_id` text NOT NULL,
	`household_id` text NOT NULL,
	`kind` text NOT NULL,
	`category` text NOT NULL,
	`points` integer NOT NULL,
	`amount` integer NOT NULL,
	`score_delta` integer NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "credits_amount_range" CHECK("credits"."amount" >= 0 AND "credits"."amount" <= "credits"."points")
);
--> statement-breakpoint
CREATE INDEX `credits_household_idx` ON `credits` (`household_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `credits_community_idx` ON `credits` (`community_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `goods` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`shop_id` text NOT NULL,
	`name` text NOT NULL,
	`points` integer NOT NULL,
	`stock` integer NOT NULL,
	`unit` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "goods_stock_nonneg" CHECK("goods"."stock" >= 0),
	CONSTRAINT "goods_points_positive" CHECK("goods"."points" > 0)
);
--> statement-breakpoint
CREATE INDEX `goods_shop_idx` ON `goods` (`shop_id`);--> statement-breakpoint
CREATE TABLE `households` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`household_no` text NOT NULL,
	`head_name` text NOT NULL,
	`building` text NOT NULL,
	`unit` text,
	`room` text,
	`phone` text,
	`household_type` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `households_no_uq` ON `households` (`community_id`,`household_no`);--> statement-breakpoint
CREATE INDEX `households_building_idx` ON `households` (`community_id`,`building`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`community_id` text NOT NULL,
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`ref_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`community_id`, `scope`, `key`)
);
--> statement-breakpoint
CREATE TABLE `members` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`household_id` text NOT NULL,
	`name` text NOT NULL,
	`relation` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `members_household_idx` ON `members` (`household_id`);--> statement-breakpoint
CREATE TABLE `notices` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`rule_ids` text NOT NULL,
	`starts_at` text,
	`ends_at` text,
	`status` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`published_at` text
);
--> statement-breakpoint
CREATE INDEX `notices_community_idx` ON `notices` (`community_id`,`status`);--> statement-breakpoint
CREATE TABLE `objections` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`publicity_id` text NOT NULL,
	`application_id` text NOT NULL,
	`reason` text NOT NULL,
	`raised_by` text NOT NULL,
	`raised_by_role` text NOT NULL,
	`status` text NOT NULL,
	`resolved_by` text,
	`resolution_note` text,
	`created_at` text NOT NULL,
	`resolved_at` text
);
--> statement-breakpoint
CREATE INDEX `objections_application_idx` ON `objections` (`application_id`,`status`);--> statement-breakpoint
CREATE TABLE `postings` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` text NOT NULL,
	`transfer_id` text NOT NULL,
	`account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`balance_after` integer NOT NULL,
	`kind` text NOT NULL,
	`ref` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `postings_account_idx` ON `postings` (`account_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `postings_transfer_account_uq` ON `postings` (`transfer_id`,`account_id`);--> statement-breakpoint
CREATE TABLE `publicity_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `publicity_community_idx` ON `publicity_batches` (`community_id`,`ends_at`);--> statement-breakpoint
CREATE TABLE `publicity_items` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`publicity_id` text NOT NULL,
	`application_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `publicity_items_application_uq` ON `publicity_items` (`application_id`);--> statement-breakpoint
CREATE INDEX `publicity_items_batch_idx` ON `publicity_items` (`publicity_id`);--> statement-breakpoint
CREATE TABLE `redemption_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`redemption_id` text NOT NULL,
	`goods_id` text NOT NULL,
	`name` text NOT NULL,
	`points` integer NOT NULL,
	`quantity` integer NOT NULL,
	`subtotal` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `redemption_lines_redemption_idx` ON `redemption_lines` (`redemption_id`);--> statement-breakpoint
CREATE TABLE `redemption_voids` (
	`redemption_id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`reason` text,
	`voided_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`shop_id` text NOT NULL,
	`household_id` text NOT NULL,
	`card_id` text,
	`receipt_no` integer NOT NULL,
	`total` integer NOT NULL,
	`balance_after` integer NOT NULL,
	`clerk_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `redemptions_receipt_uq` ON `redemptions` (`community_id`,`receipt_no`);--> statement-breakpoint
CREATE INDEX `redemptions_household_idx` ON `redemptions` (`household_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `redemptions_shop_idx` ON `redemptions` (`shop_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `register_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`register_no` integer NOT NULL,
	`entry_kind` text NOT NULL,
	`application_id` text NOT NULL,
	`household_id` text NOT NULL,
	`member_id` text,
	`rule_id` text NOT NULL,
	`category` text NOT NULL,
	`points` integer NOT NULL,
	`corrects_entry_id` text,
	`note` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `register_no_uq` ON `register_entries` (`community_id`,`register_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `register_application_uq` ON `register_entries` (`application_id`,`entry_kind`);--> statement-breakpoint
CREATE TABLE `rules` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`category` text NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`min_points` integer NOT NULL,
	`max_points` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "rules_points_range" CHECK("rules"."min_points" >= 1 AND "rules"."max_points" >= "rules"."min_points")
);
--> statement-breakpoint
CREATE INDEX `rules_community_idx` ON `rules` (`community_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
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
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_household_idx` ON `sessions` (`household_id`);--> statement-breakpoint
CREATE TABLE `shops` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stock_movements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` text NOT NULL,
	`goods_id` text NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`ref` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stock_movements_goods_idx` ON `stock_movements` (`goods_id`);--> statement-breakpoint
CREATE TABLE `top_ups` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`publicity_id` text NOT NULL,
	`credited` integer NOT NULL,
	`points` integer NOT NULL,
	`held_back` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `top_ups_publicity_idx` ON `top_ups` (`publicity_id`);--> statement-breakpoint
CREATE TABLE `transfers` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`debit_account_id` text NOT NULL,
	`credit_account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`kind` text NOT NULL,
	`cause` text NOT NULL,
	`ref` text,
	`reverses_transfer_id` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "transfer_amount_positive" CHECK("transfers"."amount" > 0),
	CONSTRAINT "transfer_distinct_accounts" CHECK("transfers"."debit_account_id" <> "transfers"."credit_account_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_cause_uq` ON `transfers` (`cause`);--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_reverses_uq` ON `transfers` (`reverses_transfer_id`);--> statement-breakpoint
CREATE INDEX `transfers_community_idx` ON `transfers` (`community_id`,`kind`,`created_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`shop_id` text,
	`active` integer DEFAULT true NOT NULL,
	`failed_logins` integer DEFAULT 0 NOT NULL,
	`locked_until` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_uq` ON `users` (`username`);--> statement-breakpoint
CREATE INDEX `users_community_idx` ON `users` (`community_id`);