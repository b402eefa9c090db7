// Migration 12's work: the personal values the case store held in clear, sealed in place with
// the store's keys (store/sealed_columns.h says how each is sealed), and its lookups turned
// into keyed tags.
#pragma once

#include "core/status.h"

namespace soci {
class session;
}

namespace custodian::cases {

Status SealPersonalValues(soci::session& sql);

}  // namespace custodian::cases
