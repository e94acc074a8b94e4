// `mmrope positions`: output formats, batches, overrides and the one-line errors with exit status 2.
#include <gtest/gtest.h>

#include "cli_runner.hpp"

namespace mmrope {
namespace {

TEST(PositionsCommand, CsvOfQwen2VlImage) {
  auto r = run_cli({"positions", "--preset", "qwen2-vl", "--layout", "text:3 image:1x4x6 text:2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "index,kind,t,h,w\n"
            "0,text,0,0,0\n1,text,1,1,1\n2,text,2,2,2\n"
            "3,image,3,3,3\n4,image,3,3,4\n5,image,3,3,5\n6,image,3,4,3\n7,image,3,4,4\n8,image,3,4,5\n"
            "9,text,6,6,6\n10,text,7,7,7\n");
}

}  // namespace
}  // namespace mmrope
