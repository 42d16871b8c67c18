CREATE TABLE `alert_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alert_id` integer,
	`channel_id` integer NOT NULL,
	`event` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_error` text,
	`response_status` integer,
	`delivered_at` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `notification_channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_due_idx` ON `alert_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_channel_idx` ON `alert_deliveries` (`channel_id`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_alert_idx` ON `alert_deliveries` (`alert_id`);--> statement-breakpoint
CREATE TABLE `alert_rule_channels` (
	`rule_id` integer NOT NULL,
	`channel_id` integer NOT NULL,
	PRIMARY KEY(`rule_id`, `channel_id`),
	FOREIGN KEY (`rule_id`) REFERENCES `alert_rules`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `notification_channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_rule_channels_channel_idx` ON `alert_rule_channels` (`channel_id`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`environment_id` integer,
	`condition` text NOT NULL,
	`for_minutes` integer DEFAULT 0 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_rules_name_unique` ON `alert_rules` (`name`);--> statement-breakpoint
CREATE INDEX `alert_rules_environment_idx` ON `alert_rules` (`environment_id`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule_id` integer NOT NULL,
	`cluster_id` integer NOT NULL,
	`state` text DEFAULT 'firing' NOT NULL,
	`summary` text NOT NULL,
	`fired_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`rule_id`) REFERENCES `alert_rules`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_open_unique` ON `alerts` (`rule_id`,`cluster_id`) WHERE state = 'firing';--> statement-breakpoint
CREATE INDEX `alerts_cluster_idx` ON `alerts` (`cluster_id`);--> statement-breakpoint
CREATE INDEX `alerts_fired_at_idx` ON `alerts` (`fired_at`);--> statement-breakpoint
CREATE TABLE `connection_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` integer NOT NULL,
	`kind` text NOT NULL,
	`at` integer DEFAULT (unixepoch()) NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`agent_version` text,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `connection_events_cluster_at_idx` ON `connection_events` (`cluster_id`,`at`);--> statement-breakpoint
CREATE INDEX `connection_events_at_idx` ON `connection_events` (`at`);--> statement-breakpoint
CREATE TABLE `notification_channels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`url_sealed` text NOT NULL,
	`url_hint` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_channels_name_unique` ON `notification_channels` (`name`);--> statement-breakpoint
ALTER TABLE `cluster_nodes` ADD `kubelet_version` text;--> statement-breakpoint
ALTER TABLE `cluster_nodes` ADD `conditions` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `cluster_nodes` ADD `ready_since` integer;