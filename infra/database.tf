# Managed PostgreSQL with serverless access (functions connect without a VPC) behind Odyssey in transaction mode,
# which is why the code turns psycopg's prepared statements off and sets its statement timeout per transaction.
resource "yandex_vpc_network" "db" {
  name = "${var.name}-db"
}

resource "yandex_vpc_subnet" "db" {
  name           = "${var.name}-db-${var.zone}"
  zone           = var.zone
  network_id     = yandex_vpc_network.db.id
  v4_cidr_blocks = ["10.60.0.0/24"]
}

resource "yandex_vpc_security_group" "db" {
  name       = "${var.name}-db"
  network_id = yandex_vpc_network.db.id

  dynamic "ingress" {
    for_each = length(var.deployer_cidrs) > 0 ? [1] : []
    content {
      description    = "Migrations from the deployer's machine"
      protocol       = "TCP"
      port           = 6432
      v4_cidr_blocks = var.deployer_cidrs
    }
  }

  egress {
    description    = "Replies and replication inside the network"
    protocol       = "ANY"
    v4_cidr_blocks = ["10.60.0.0/24"]
  }
}

resource "yandex_mdb_postgresql_cluster" "db" {
  name                = var.name
  environment         = "PRODUCTION"
  network_id          = yandex_vpc_network.db.id
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
      serverless = true
      web_sql    = false
      data_lens  = false
    }
    pooler_config {
      pooling_mode = "TRANSACTION"
      pool_discard = true
    }
    postgresql_config = {
      max_connections                   = 200
      idle_in_transaction_session_timeout = 60000
      log_min_duration_statement        = 1000
    }
    backup_retain_period_days = 14
  }

  host {
    zone             = var.zone
    subnet_id        = yandex_vpc_subnet.db.id
    assign_public_ip = length(var.deployer_cidrs) > 0
  }

  maintenance_window {
    type = "WEEKLY"
    day  = "SUN"
    hour = 3
  }
}

resource "yandex_mdb_postgresql_database" "app" {
  cluster_id = yandex_mdb_postgresql_cluster.db.id
  name       = "transcribe"
  owner      = yandex_mdb_postgresql_user.app.name
}

resource "yandex_mdb_postgresql_user" "app" {
  cluster_id = yandex_mdb_postgresql_cluster.db.id
  name       = "transcribe"
  password   = random_password.db.result
  conn_limit = 150
}

locals {
  # The cluster's current-master host name; TLS required.
  database_url = "postgresql://transcribe:${urlencode(random_password.db.result)}@c-${yandex_mdb_postgresql_cluster.db.id}.rw.mdb.yandexcloud.net:6432/transcribe?sslmode=require"
}
