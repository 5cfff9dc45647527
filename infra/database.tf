# Managed PostgreSQL 16 behind its Odyssey pooler in transaction mode (the code turns psycopg's prepared statements
# off and scopes its statement timeout with SET LOCAL, both safe there), TLS only, password from Lockbox.
#
# Functions reach the hosts through the cloud network (their `connectivity` block): the hosts keep private addresses
# and the security group admits the functions' service subnets on 6432. `access.serverless` is enabled as well: it is
# what Cloud Functions' "database connection" proxy (IAM-token logins) needs, so moving to that later is a change of
# DATABASE_URL and db.py, not of the cluster.
locals {
  db_zones = length(var.db_zones) > 0 ? var.db_zones : [var.zone]
  db_name  = "transcribe"
  db_user  = "transcribe"
  # c-<cluster id>.rw.mdb.yandexcloud.net always names the current primary; 6432 is Odyssey, the only port offered.
  db_host = "c-${yandex_mdb_postgresql_cluster.db.id}.rw.mdb.yandexcloud.net"
  # verify-full, as managed-postgresql/operations/connect.md connects: the host is checked against Yandex's CA, which
  # every zip carries (common/data/yandex-internal-root-ca.pem; common/db.py points psycopg at it).
  database_url = "postgresql://${local.db_user}:${urlencode(random_password.db.result)}@${local.db_host}:6432/${local.db_name}?sslmode=verify-full"
}

resource "yandex_vpc_network" "main" {
  name        = var.name
  description = "Database hosts and the functions that use them"
}

resource "yandex_vpc_subnet" "main" {
  for_each       = var.network_cidrs
  name           = "${var.name}-${each.key}"
  zone           = each.key
  network_id     = yandex_vpc_network.main.id
  v4_cidr_blocks = [each.value]
}

resource "yandex_vpc_security_group" "db" {
  name        = "${var.name}-db"
  description = "PostgreSQL: the functions attached to this network, nothing from outside"
  network_id  = yandex_vpc_network.main.id

  ingress {
    description    = "Functions attached to this network"
    protocol       = "TCP"
    port           = 6432
    v4_cidr_blocks = var.function_source_cidrs
  }

  ingress {
    description       = "Replication between the cluster's own hosts"
    protocol          = "ANY"
    predefined_target = "self_security_group"
  }

  egress {
    description       = "Replication between the cluster's own hosts"
    protocol          = "ANY"
    predefined_target = "self_security_group"
  }
}

resource "yandex_mdb_postgresql_cluster" "db" {
  name                = var.name
  description         = "Transcribe: users, files, jobs, transcripts"
  environment         = "PRODUCTION"
  network_id          = yandex_vpc_network.main.id
  security_group_ids  = [yandex_vpc_security_group.db.id]
  deletion_protection = true

  config {
    version = 16
    resources {
      resource_preset_id = var.db_preset
      disk_type_id       = "network-ssd"
      disk_size          = var.db_disk_gb
    }

    access {
      serverless    = true
      web_sql       = false
      data_lens     = false
      data_transfer = false
    }

    pooler_config {
      pooling_mode = "TRANSACTION"
    }

    postgresql_config = {
      idle_in_transaction_session_timeout = 60000 # ms: a crashed function cannot hold locks for long
      log_min_duration_statement          = 1000  # ms: slow statements show up in the cluster logs
    }

    backup_retain_period_days = 14
  }

  dynamic "host" {
    for_each = local.db_zones
    content {
      zone      = host.value
      subnet_id = yandex_vpc_subnet.main[host.value].id
      # Private only: the functions (migrate included) reach it through the network; nothing else needs to.
      assign_public_ip = false
    }
  }

  maintenance_window {
    type = "WEEKLY"
    day  = "SUN"
    hour = 3
  }
}

resource "yandex_mdb_postgresql_user" "app" {
  cluster_id = yandex_mdb_postgresql_cluster.db.id
  name       = local.db_user
  password   = random_password.db.result
  # Users' conn_limit must add up to at most max_connections - 15 (the service's reserved connections; troubleshooting
  # conn-limit-parameter.md). The docs give no max_connections for burstable presets such as b3-c1-m4; 50 fits any
  # max_connections of 65 or more (PostgreSQL's own default is 100). The functions reach PostgreSQL through Odyssey,
  # so this bounds the pooler's server connections, not the number of function instances.
  conn_limit = 50
}

resource "yandex_mdb_postgresql_database" "app" {
  cluster_id = yandex_mdb_postgresql_cluster.db.id
  name       = local.db_name
  owner      = yandex_mdb_postgresql_user.app.name
}
