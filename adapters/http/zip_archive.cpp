#include "adapters/http/zip_archive.hpp"

#include <memory>

#include <zip.h>

namespace herald::adapters {

result<std::string> make_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) return status{errc::io_error, "cannot make a ZIP buffer"};
  zip_source_keep(buffer);  // read it back after the archive is closed
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(buffer, zip_source_free);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) return status{errc::io_error, std::string("cannot open a ZIP: ") + zip_error_strerror(&error)};
  for (const auto& [path, bytes] : files) {
    // libzip reads the data when the archive is closed: `files` outlives it.
    zip_source_t* data = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    if (!data || zip_file_add(archive, path.c_str(), data, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
      if (data) zip_source_free(data);
      zip_discard(archive);
      return status{errc::io_error, "cannot add " + path + " to the ZIP"};
    }
  }
  if (zip_close(archive) < 0) {
    zip_discard(archive);
    return status{errc::io_error, "cannot finish the ZIP"};
  }
  if (zip_source_open(buffer) < 0) return status{errc::io_error, "cannot read the ZIP back"};
  zip_source_seek(buffer, 0, SEEK_END);
  const zip_int64_t size = zip_source_tell(buffer);
  zip_source_seek(buffer, 0, SEEK_SET);
  std::string out(static_cast<std::size_t>(size), '\0');
  const zip_int64_t read = zip_source_read(buffer, out.data(), static_cast<zip_uint64_t>(size));
  zip_source_close(buffer);
  if (read != size) return status{errc::io_error, "the ZIP was cut short"};
  return out;
}

}  // namespace herald::adapters
