// The data categories a request may reach, in their canonical order (DESIGN.md, Policy;
// spec/default-standards.md). Values: safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace custodian {

enum class Category { kBasicSubscriber, kAccessLog, kLocation, kDevice, kContent };

// Every category, in the canonical order outputs use.
inline constexpr std::array<Category, 5> kAllCategories = {
    Category::kBasicSubscriber, Category::kAccessLog, Category::kLocation, Category::kDevice,
    Category::kContent};

std::string_view CategoryName(Category c);
std::optional<Category> ParseCategory(std::string_view name);

// A set of categories; iteration follows the canonical order.
class CategorySet {
 public:
  CategorySet() = default;
  void Add(Category c) { bits_ |= Bit(c); }
  void Remove(Category c) { bits_ &= ~Bit(c); }
  bool Contains(Category c) const { return (bits_ & Bit(c)) != 0; }
  bool empty() const { return bits_ == 0; }
  CategorySet Intersect(CategorySet o) const { return CategorySet(bits_ & o.bits_); }
  bool operator==(const CategorySet&) const = default;

  template <typename F>
  void ForEach(F&& f) const {
    for (Category c : kAllCategories) {
      if (Contains(c)) f(c);
    }
  }

 private:
  explicit CategorySet(unsigned bits) : bits_(bits) {}
  static unsigned Bit(Category c) { return 1u << static_cast<unsigned>(c); }
  unsigned bits_ = 0;
};

}  // namespace custodian
