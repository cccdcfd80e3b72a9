// An image chosen from a file (PNG, JPEG or WebP) as a data URL, shown as a thumbnail, with the API's error about
// it (a field under `init_images`) beside it.
import { dataUrlOf } from '../api.js';

export function ImagePick({ id, label, image, onImage, alt, testid, error }) {
  const message = error && error.field && error.field.startsWith('init_images') ? error.message : null;
  const pick = async (e) => {
    const file = e.currentTarget.files[0];
    onImage(file ? await dataUrlOf(file) : null);
  };
  return (
    <div class={`field${message ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} type="file" accept="image/png,image/jpeg,image/webp" onChange={pick} />
      {image && <img class="thumb" src={image} alt={alt} data-testid={testid} />}
      {message && <small class="error" role="alert">{message}</small>}
    </div>
  );
}
