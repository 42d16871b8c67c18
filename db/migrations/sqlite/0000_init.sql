CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer DEFAULT (unixepoch()) NOT NULL,
	`actor_user_id` integer,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`target_label` text,
	`before` text,
	`after` text,
	`ip` text,
	FOREIGN KEY (`actor_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`target_type`,`target_id`);--> statement-breakpoint
CREATE INDEX `audit_events_at_idx` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_actor_idx` ON `audit_events` (`actor_user_id`);--> statement-breakpoint
CREATE TABLE `cluster_environments` (
	`cluster_id` integer NOT NULL,
	`environment_id` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `environment_id`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `cluster_environments_env_idx` ON `cluster_environments` (`environment_id`);--> statement-breakpoint
CREATE TABLE `cluster_nodes` (
	`cluster_id` integer NOT NULL,
	`name` text NOT NULL,
	`node_pool` text,
	`gpu_type` text,
	`gpu_count` integer DEFAULT 0 NOT NULL,
	`ready` integer NOT NULL,
	`capacity` text DEFAULT '{}' NOT NULL,
	`taints` text DEFAULT '[]' NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`cluster_id`, `name`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cluster_nodes_gpu_type_idx` ON `cluster_nodes` (`gpu_type`);--> statement-breakpoint
CREATE TABLE `cluster_reports` (
	`cluster_id` integer PRIMARY KEY NOT NULL,
	`namespaces` text DEFAULT '[]' NOT NULL,
	`storage_classes` text DEFAULT '[]' NOT NULL,
	`ingress_classes` text DEFAULT '[]' NOT NULL,
	`components` text DEFAULT '[]' NOT NULL,
	`preflight` text DEFAULT '[]' NOT NULL,
	`warnings` text DEFAULT '[]' NOT NULL,
	`snapshot_at` integer,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `cluster_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cluster_tokens_hash_unique` ON `cluster_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `cluster_tokens_cluster_idx` ON `cluster_tokens` (`cluster_id`);--> statement-breakpoint
CREATE TABLE `clusters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`provider` text NOT NULL,
	`region` text NOT NULL,
	`base_domains` text DEFAULT '[]' NOT NULL,
	`prometheus_url` text NOT NULL,
	`node_pool_label` text NOT NULL,
	`gpu_type_label` text NOT NULL,
	`addons` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'awaiting_agent' NOT NULL,
	`status_reasons` text DEFAULT '[]' NOT NULL,
	`connected_at` integer,
	`last_seen_at` integer,
	`disconnected_at` integer,
	`agent_version` text,
	`kubernetes_version` text,
	`node_count` integer,
	`ready_node_count` integer,
	`gpu_count` integer,
	`gpus_by_type` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clusters_name_unique` ON `clusters` (`name`);--> statement-breakpoint
CREATE INDEX `clusters_status_idx` ON `clusters` (`status`);--> statement-breakpoint
CREATE INDEX `clusters_provider_idx` ON `clusters` (`provider`);--> statement-breakpoint
CREATE INDEX `clusters_region_idx` ON `clusters` (`region`);--> statement-breakpoint
CREATE TABLE `environments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`color` text NOT NULL,
	`is_production` integer DEFAULT false NOT NULL,
	`optimize_for` text DEFAULT 'cost' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `environments_name_unique` ON `environments` (`name`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`expires_at` integer NOT NULL,
	`ip` text,
	`user_agent` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`last_sign_in_at` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` integer NOT NULL,
	`name` text NOT NULL,
	`environment_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "workspaces_name_len" CHECK(length("workspaces"."name") between 3 and 32)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_cluster_name_unique` ON `workspaces` (`cluster_id`,`name`);--> statement-breakpoint
CREATE INDEX `workspaces_environment_idx` ON `workspaces` (`environment_id`);