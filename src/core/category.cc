#include "core/category.h"

namespace custodian {

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kBasicSubscriber: return "basic_subscriber";
    case Category::kAccessLog: return "access_log";
    case Category::kLocation: return "location";
    case Category::kDevice: return "device";
    case Category::kContent: return "content";
  }
  return "?";
}

std::optional<Category> ParseCategory(std::string_view name) {
  for (Category c : kAllCategories) {
    if (CategoryName(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace custodian
