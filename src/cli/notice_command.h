// `custodian notices list|deliver` and `custodian case nondisclosure`: the users' notices
// (cases/notice_outbox.h) from the command line; and the outbox the server runs.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "cases/notice_outbox.h"
#include "core/clock.h"
#include "instance/instance_config.h"

namespace custodian {

// The webhook the instance's configuration names; NotFound when it names none.
Result<std::unique_ptr<cases::NoticeTransport>> NoticeTransportOf(const InstanceConfig& config,
                                                                  Clock& clock);

void AddNoticeCommands(CLI::App& app, int* exit_code);

}  // namespace custodian
