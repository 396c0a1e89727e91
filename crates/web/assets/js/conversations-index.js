// The conversation list page: the list stays live.

import { Cable } from "./cable.js";
import { liveList } from "./live-list.js";

liveList(new Cable(document.body.dataset.pubsubToken), () => null);
document.body.dataset.ready = "true";
