CREATE TABLE `redemption_days` (
	`household_id` text NOT NULL,
	`day` text NOT NULL,
	`community_id` text NOT NULL,
	`points` integer NOT NULL,
	`cap` integer,
	PRIMARY KEY(`household_id`, `day`),
	CONSTRAINT "redemption_day_cap" CHECK("redemption_days"."cap" IS NULL OR "redemption_days"."points" <= "redemption_days"."cap")
);
