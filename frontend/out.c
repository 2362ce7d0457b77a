#include <errno.h>
#include "out.h"

int out_write(struct ht_buf *buf, FILE *out)
{
	int err = 0;

	if (buf->failed)
		err = -ENOMEM;
	else if (buf->len && fwrite(buf->data, 1, buf->len, out) != buf->len)
		err = -EIO;
	ht_buf_reset(buf);
	if (fflush(out) && !err)
		err = -EIO;
	return err;
}
